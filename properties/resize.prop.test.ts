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

const property = differentialProperty<ResizeCase>({
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
