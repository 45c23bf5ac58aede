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

const property = differentialProperty<DdCase>({
  propertyFile: 'properties/dd.prop.test.ts',
  context,
  check: (ddCase) => checkDdCase(env, ddCase),
  simplify: simplifyDdCase,
});

test.prop([ddCaseArbitrary], property.parameters)(
  'dd: the candidate agrees with qemu-img, and qemu-img with the dd model',
  property.predicate,
  testTimeoutMs(context),
);
