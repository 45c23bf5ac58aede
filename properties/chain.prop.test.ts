import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { chainCaseArbitrary, type ChainCase } from '../arbitraries/chain-case.ts';
import { simplifyChainCase } from '../arbitraries/chain-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkChainCase } from './chain.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const stats = new RunStats('chain');
const env = {
  reference: context.reference,
  candidate: context.candidate,
  qemuIo: context.qemuIo,
  timeoutMs: context.timeoutMs,
  candidateTime: context.candidateTime,
  stats,
};

afterAll(() => {
  console.log(stats.summary());
});

/**
 * 20 cases under `npm test` (FC_NUM_RUNS unset): a case builds up to four
 * files and runs up to six steps, each followed by qemu-img reads of every
 * file the step touched on both sides; 20 cases took 34 s (7.2) and 29 s
 * (10.0) on the two shared cores (load about 6), and meet every step kind
 * and each whitelist class (the tally shows it). Campaigns run as long as
 * their budget.
 */
const NPM_TEST_RUNS = 20;

const property = differentialProperty<ChainCase>({
  defaultNumRuns: NPM_TEST_RUNS,
  propertyFile: 'properties/chain.prop.test.ts',
  context,
  check: (chainCase) => checkChainCase(env, chainCase),
  simplify: simplifyChainCase,
});

test.prop([chainCaseArbitrary], property.parameters)(
  'chain: after every write, rebase (safe, -u, detach) and commit (-b, -d) over a backing chain with data, both sides agree on exit status, qemu-img meets the model (what each file shows, the top\'s own clusters, backing pointers) and the candidate\'s files read the same, give the same normalised info and check as clean',
  property.predicate,
  testTimeoutMs(context),
);
