import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { createCaseArbitrary, type CreateCase } from '../arbitraries/create-case.ts';
import { simplifyCreateCase } from '../arbitraries/create-case-simplify.ts';
import { staleWhitelistMeansFixed, suiteContext } from '../config/suite-context.ts';
import { LibyalReaders } from '../oracles/create-libyal.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { CreatesAhead } from './create-ahead.ts';
import { checkCreateCase, startCreateCase, type CreateCaseStart } from './create.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const stats = new RunStats('create');
const libyal = new LibyalReaders(process.env);
// The coming case's creates start while this case's outputs are read.
const ahead: CreatesAhead<CreateCaseStart> = new CreatesAhead((next) => startCreateCase(env, next));
const env = {
  reference: context.reference,
  candidate: context.candidate,
  qemuImg: context.reference.command[0] ?? 'qemu-img',
  qemuIo: context.qemuIo,
  timeoutMs: context.timeoutMs,
  candidateTime: context.candidateTime,
  stats,
  libyal,
  ahead,
};

// Said once per run: the independent readers are optional.
const absent = libyal.announcement();
if (absent !== undefined) console.log(absent);

/** How the reference treated the flawed and valid cases, and how zeros were proven. */
function acceptanceSummary(): string {
  const count = (label: string): number => stats.classes.get(label) ?? 0;
  const flawed = [...stats.classes].filter(([label]) => label.startsWith('flaw=')).reduce((sum, [, n]) => sum + n, 0);
  return (
    `create: ${flawed} flawed case(s); qemu-img accepted ${count('reference-accepted-flawed-case')} flawed and rejected ` +
    `${count('reference-rejected-valid-case')} valid case(s); zeros proven by flattening ${count('content=flattened')}, ` +
    `by end windows ${count('content=end-windows')}`
  );
}

afterAll(async () => {
  await ahead.dispose();
  // Only against instar does "never hit" say something (staleWhitelistMeansFixed).
  const stale = staleWhitelistMeansFixed(context) ? stats.staleWhitelistWarnings() : [];
  console.log([stats.summary(), acceptanceSummary(), ...stale].join('\n'));
});

const property = differentialProperty<CreateCase>({
  propertyFile: 'properties/create.prop.test.ts',
  context,
  check: (createCase) => checkCreateCase(env, createCase),
  simplify: simplifyCreateCase,
  lookahead: { arbitrary: createCaseArbitrary, prepare: (next) => ahead.queue(next) },
});

test.prop([createCaseArbitrary], property.parameters)(
  'create: the candidate accepts what qemu-img accepts, and its image reads like qemu-img\'s (normalised info, check, zeros)',
  property.predicate,
  testTimeoutMs(context),
);
