import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { amendCaseArbitrary, type AmendCase } from '../arbitraries/amend-case.ts';
import { simplifyAmendCase } from '../arbitraries/amend-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkAmendCase, type AmendPropertyEnv } from './amend.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const env: AmendPropertyEnv = {
  reference: context.reference,
  candidate: context.candidate,
  qemuIo: context.qemuIo,
  timeoutMs: context.timeoutMs,
  candidateTime: context.candidateTime,
  stats: new RunStats('amend'),
};

afterAll(() => {
  console.log(env.stats.summary());
});

/**
 * Cases under `npm test` when FC_NUM_RUNS and FC_TIME_LIMIT are unset: each
 * case builds its source (two processes) and runs eight more (two amends,
 * then info, check and a flattening of each image), 0.4 s to 1.6 s on the
 * 2-core machine it was measured on (light to heavy load), so 32 cases
 * (13 s to 50 s) keep the suite inside its 10 minutes while each of the
 * eight changes still comes up about four times. Campaigns are unaffected.
 */
const NPM_TEST_RUNS = 32;

const property = differentialProperty<AmendCase>({
  propertyFile: 'properties/amend.prop.test.ts',
  context,
  check: (amendCase) => checkAmendCase(env, amendCase),
  simplify: simplifyAmendCase,
  defaultNumRuns: NPM_TEST_RUNS,
});

test.prop([amendCaseArbitrary], property.parameters)(
  'amend: exact exit status, normalised qemu-img info (format-specific kept), a clean check and unchanged content, on qcow2 images with data; qemu-img is held to a model of amend',
  property.predicate,
  testTimeoutMs(context),
);
