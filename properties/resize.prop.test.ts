import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { resizeCaseArbitrary, type ResizeCase } from '../arbitraries/resize-case.ts';
import { simplifyResizeCase } from '../arbitraries/resize-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkResizeCase } from './resize.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const qemuImg = context.reference.command[0] ?? 'qemu-img';
const stats = new RunStats('resize');
const images = new ImageCache({ qemuImg, qemuIo: context.qemuIo, timeoutMs: context.timeoutMs });
const env = { reference: context.reference, candidate: context.candidate, timeoutMs: context.timeoutMs, candidateTime: context.candidateTime, images, stats };

afterAll(async () => {
  console.log(stats.summary());
  await images.dispose();
});

/**
 * Cases under `npm test` when neither FC_NUM_RUNS nor FC_TIME_LIMIT is set:
 * 40, not the suite's 100. A resize case copies a source of up to 72 MiB
 * twice and flattens both results, and costs about 0.4 s on the 2-core CI
 * machine (1 s when it is shared): 100 cases took 90 s there under 10.0.
 * 40 still meets each format, grow/shrink/no-op and every preallocation
 * mode several times; campaigns run as long as their budget.
 */
const NPM_TEST_RUNS = 40;

const property = differentialProperty<ResizeCase>({
  defaultNumRuns: NPM_TEST_RUNS,
  propertyFile: 'properties/resize.prop.test.ts',
  context,
  check: (resizeCase) => checkResizeCase(env, resizeCase),
  simplify: simplifyResizeCase,
});

test.prop([resizeCaseArbitrary], property.parameters)(
  'resize: same exit status; when both resize, qemu-img meets the resize model and the candidate\'s image reads the same (size, every byte), gives the same normalised info and checks as clean',
  property.predicate,
  testTimeoutMs(context),
);
