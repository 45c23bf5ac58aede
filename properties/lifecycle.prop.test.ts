import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { lifecycleCaseArbitrary, type LifecycleCase } from '../arbitraries/lifecycle-case.ts';
import { simplifyLifecycleCase } from '../arbitraries/lifecycle-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { qemuNbdBeside } from '../config/qemu-nbd.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkLifecycleCase } from './lifecycle.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const qemuImg = context.reference.command[0] ?? 'qemu-img';
const stats = new RunStats('lifecycle');
const qemuNbd = qemuNbdBeside(qemuImg);
if (qemuNbd === undefined) console.warn(`lifecycle: no qemu-nbd beside ${qemuImg} or on PATH: bitmaps' bits are not compared (qemu-utils installs it)`);
const images = new ImageCache({ qemuImg, qemuIo: context.qemuIo, timeoutMs: context.timeoutMs });
const env = {
  reference: context.reference,
  candidate: context.candidate,
  qemuIo: context.qemuIo,
  qemuNbd,
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
 * 25 cases under `npm test` (FC_NUM_RUNS unset): a case is up to eight
 * commands, each followed by six qemu-img reads of both copies, about
 * 1.5 s on the 2-core CI machine; 25 still meet every command kind several
 * times (the coverage tally shows it). Campaigns run as long as their budget.
 */
const NPM_TEST_RUNS = 25;

const property = differentialProperty<LifecycleCase>({
  defaultNumRuns: NPM_TEST_RUNS,
  propertyFile: 'properties/lifecycle.prop.test.ts',
  context,
  check: (lifecycleCase) => checkLifecycleCase(env, lifecycleCase),
  simplify: simplifyLifecycleCase,
});

test.prop([lifecycleCaseArbitrary], property.parameters)(
  'life cycle: after every command (writes, snapshot -c/-d/-a/-l, bitmap actions, resize, amend) both copies agree on exit status, qemu-img meets the model (content, snapshots and their content, bitmaps) and the candidate\'s copy reads the same, gives the same normalised info and checks as clean',
  property.predicate,
  testTimeoutMs(context),
);
