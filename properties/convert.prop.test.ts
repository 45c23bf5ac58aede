import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { convertCaseArbitrary, type ConvertCase } from '../arbitraries/convert-case.ts';
import { simplifyConvertCase } from '../arbitraries/convert-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkConvertCase } from './convert.ts';
import { differentialProperty, testTimeoutMs } from './property-runner.ts';

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
 * A convert case runs six to eight processes over images of up to 72 MiB
 * (about 6 cases/s here), so the default 300 would take most of this file's
 * budget in `npm test`; 200 is the calibration minimum. FC_NUM_RUNS and
 * FC_TIME_LIMIT still decide when set.
 */
const userChoseRuns = context.fastCheck.numRuns !== undefined || context.fastCheck.timeLimitSeconds !== undefined;
const overrides = userChoseRuns ? undefined : { numRuns: 200 };

const property = differentialProperty<ConvertCase>({
  propertyFile: 'properties/convert.prop.test.ts',
  context,
  overrides,
  check: (convertCase) => checkConvertCase(env, convertCase),
  simplify: simplifyConvertCase,
});

test.prop([convertCaseArbitrary], property.parameters)(
  'convert: the candidate writes what qemu-img writes (size, every byte, and the compression asked for)',
  property.predicate,
  testTimeoutMs(context),
);
