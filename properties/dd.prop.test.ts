import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { ddCaseArbitrary, type DdCase } from '../arbitraries/dd-case.ts';
import { simplifyDdCase } from '../arbitraries/dd-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkDdCase } from './dd.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const stats = new RunStats('dd');
const images = new ImageCache({ qemuImg: context.reference.command[0] ?? 'qemu-img', qemuIo: context.qemuIo, timeoutMs: context.timeoutMs });
const env = {
  reference: context.reference,
  candidate: context.candidate,
  qemuImg: context.reference.command[0] ?? 'qemu-img',
  timeoutMs: context.timeoutMs,
  candidateTime: context.candidateTime,
  images,
  stats,
};

afterAll(async () => {
  console.log(stats.summary());
  await images.dispose();
});

/**
 * 40 cases under `npm test` (FC_NUM_RUNS unset), not the suite's 100: a dd
 * case builds a source of up to 32 MiB and reads every byte of three
 * outputs, the costliest case in the suite, and npm test must stay under 10
 * minutes on two cores with thirteen properties. 40 still meet each target
 * about 8 times and each window class (empty, past the end) several
 * times; the coverage test holds the generator's shares, and campaigns run
 * as long as their budget.
 */
const NPM_TEST_RUNS = 40;

const property = differentialProperty<DdCase>({
  propertyFile: 'properties/dd.prop.test.ts',
  defaultNumRuns: NPM_TEST_RUNS,
  context,
  check: (ddCase) => checkDdCase(env, ddCase),
  simplify: simplifyDdCase,
});

test.prop([ddCaseArbitrary], property.parameters)(
  'dd: the candidate agrees with qemu-img, and qemu-img with the dd model',
  property.predicate,
  testTimeoutMs(context),
);
