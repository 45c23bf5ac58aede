import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { createCaseArbitrary, type CreateCase } from '../arbitraries/create-case.ts';
import { suiteContext } from '../config/suite-context.ts';
import { LibyalReaders } from '../oracles/create-libyal.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkCreateCase } from './create.ts';
import { propertyParameters, testTimeoutMs } from './property-runner.ts';

const context = await suiteContext();
const stats = new RunStats('create');
const libyal = new LibyalReaders(process.env);
const env = {
  reference: context.reference,
  candidate: context.candidate,
  qemuImg: context.reference.command[0] ?? 'qemu-img',
  qemuIo: context.qemuIo,
  timeoutMs: context.timeoutMs,
  stats,
  libyal,
};

// Said once per run: the independent readers are optional.
const absent = libyal.announcement();
if (absent !== undefined) console.log(absent);

afterAll(() => {
  // Calibration needs no entry at all, so "never hit" says nothing there.
  const stale = context.calibration ? [] : stats.staleWhitelistWarnings();
  console.log([stats.summary(), ...stale].join('\n'));
});

test.prop([createCaseArbitrary], propertyParameters<CreateCase>({ propertyFile: 'properties/create.prop.test.ts', context }))(
  'create: the candidate accepts what qemu-img accepts, and its image reads like qemu-img\'s (normalised info, check, zeros)',
  (createCase) => checkCreateCase(env, createCase),
  testTimeoutMs(context),
);
