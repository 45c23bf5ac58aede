import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { mapCaseArbitrary, type MapCase } from '../arbitraries/map-case.ts';
import { simplifyMapCase } from '../arbitraries/map-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkMapCase } from './map.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const qemuImg = context.reference.command[0] ?? 'qemu-img';
const stats = new RunStats('map');
const images = new ImageCache({ qemuImg, qemuIo: context.qemuIo, timeoutMs: context.timeoutMs });
const env = { reference: context.reference, candidate: context.candidate, timeoutMs: context.timeoutMs, candidateTime: context.candidateTime, images, stats };

afterAll(async () => {
  console.log(stats.summary());
  await images.dispose();
});

/**
 * 60 cases under `npm test` (FC_NUM_RUNS unset), not the suite's 100, so
 * that npm test stays under 10 minutes on two cores with eleven properties;
 * 60 still meet each format and each window class (whole, unaligned, past
 * the end, empty) several times. Campaigns run as long as their budget.
 */
const NPM_TEST_RUNS = 60;

const property = differentialProperty<MapCase>({
  propertyFile: 'properties/map.prop.test.ts',
  defaultNumRuns: NPM_TEST_RUNS,
  context,
  check: (mapCase) => checkMapCase(env, mapCase),
  simplify: simplifyMapCase,
});

test.prop([mapCaseArbitrary], property.parameters)(
  'map: every byte of the window is classed as qemu-img classes it (present, zero, data; host offsets in the human form), and qemu-img keeps the image spec\'s claims',
  property.predicate,
  testTimeoutMs(context),
);
