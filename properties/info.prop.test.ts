import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { infoCaseArbitrary, infoCaseFromJson, type InfoCase } from '../arbitraries/info-case.ts';
import { simplifyInfoCase } from '../arbitraries/info-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { ReferenceMemo } from '../drivers/reference-memo.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkInfoCase } from './info.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const qemuImg = context.reference.command[0] ?? 'qemu-img';
const stats = new RunStats('info');
const images = new ImageCache({ qemuImg, qemuIo: context.qemuIo, timeoutMs: context.timeoutMs });
const env = { reference: context.reference, candidate: context.candidate, timeoutMs: context.timeoutMs, candidateTime: context.candidateTime, referenceMemo: new ReferenceMemo(), images, stats };

afterAll(async () => {
  console.log(stats.summary());
  await images.dispose();
});

const property = differentialProperty<InfoCase>({
  propertyFile: 'properties/info.prop.test.ts',
  context,
  check: (infoCase) => checkInfoCase(env, infoCase),
  simplify: simplifyInfoCase,
  fromJson: infoCaseFromJson,
  // The next case's source is built while this case waits on the candidate;
  // deferred a turn, so its processes start after this case's calls.
  lookahead: { arbitrary: infoCaseArbitrary, prepare: (next) => setImmediate(() => void images.get(next.source).catch(() => undefined)) },
});

test.prop([infoCaseArbitrary], property.parameters)(
  'info: the candidate reports what qemu-img reports (JSON with format-specific, and/or the human text)',
  property.predicate,
  testTimeoutMs(context),
);
