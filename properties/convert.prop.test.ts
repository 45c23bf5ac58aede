import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { convertCaseArbitrary, type ConvertCase } from '../arbitraries/convert-case.ts';
import { simplifyConvertCase } from '../arbitraries/convert-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkConvertCase } from './convert.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const qemuImg = context.reference.command[0] ?? 'qemu-img';
const stats = new RunStats('convert');
const images = new ImageCache({ qemuImg, qemuIo: context.qemuIo, timeoutMs: context.timeoutMs });
const env = { reference: context.reference, candidate: context.candidate, qemuImg, timeoutMs: context.timeoutMs, candidateTime: context.candidateTime, images, stats };

afterAll(async () => {
  console.log(stats.summary());
  await images.dispose();
});

/**
 * 60 cases under `npm test` (FC_NUM_RUNS unset), not the suite's 100: a
 * convert case builds a source and flattens two outputs of up to 32 MiB,
 * and npm test must stay under 10 minutes on two cores with eleven
 * properties. 60 still meet each target format about 12 times; campaigns
 * run as long as their budget.
 */
const NPM_TEST_RUNS = 60;

const property = differentialProperty<ConvertCase>({
  propertyFile: 'properties/convert.prop.test.ts',
  defaultNumRuns: NPM_TEST_RUNS,
  context,
  check: (convertCase) => checkConvertCase(env, convertCase),
  simplify: simplifyConvertCase,
});

test.prop([convertCaseArbitrary], property.parameters)(
  'convert: the candidate writes what qemu-img writes (size, every byte, and the compression asked for)',
  property.predicate,
  testTimeoutMs(context),
);
