import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkCaseArbitrary } from '../arbitraries/check-case.ts';
import { convertCaseArbitrary } from '../arbitraries/convert-case.ts';
import { ddCaseArbitrary } from '../arbitraries/dd-case.ts';
import { infoCaseArbitrary } from '../arbitraries/info-case.ts';
import { measureCaseArbitrary } from '../arbitraries/measure-case.ts';
import { runProcess } from '../drivers/run-process.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import { ImageCache } from '../images/materialise.ts';
import { predictedVirtualSize } from '../images/virtual-size.ts';
import { parseExactJson } from '../oracles/exact-json.ts';
import { calibrationTools } from './support/tools.ts';

/**
 * Cases take a source's virtual size from the spec's prediction and run no
 * `qemu-img info` for it (issue 12). This holds the prediction to qemu-img
 * on the sources the real arbitraries draw, a fixed number of each, so a
 * wrong prediction fails here rather than silently skewing every case.
 */
const RUNS_PER_ARBITRARY = 12;

const sources: ReadonlyArray<readonly [string, readonly ImageSpec[]]> = [
  ['info', fc.sample(infoCaseArbitrary, { seed: 12, numRuns: RUNS_PER_ARBITRARY }).map((c) => c.source)],
  ['dd', fc.sample(ddCaseArbitrary, { seed: 12, numRuns: RUNS_PER_ARBITRARY }).map((c) => c.source)],
  ['convert', fc.sample(convertCaseArbitrary, { seed: 12, numRuns: RUNS_PER_ARBITRARY }).map((c) => c.source)],
  ['check', fc.sample(checkCaseArbitrary, { seed: 12, numRuns: RUNS_PER_ARBITRARY }).map((c) => c.source)],
  [
    'measure',
    fc
      .sample(measureCaseArbitrary, { seed: 12, numRuns: 3 * RUNS_PER_ARBITRARY })
      .flatMap((c) => ('source' in c.input ? [c.input.source] : []))
      .slice(0, RUNS_PER_ARBITRARY),
  ],
];

describe('predicted virtual size against qemu-img info, on the arbitraries\' sources', () => {
  let qemuImg: string;
  let images: ImageCache;
  beforeAll(async () => {
    const tools = await calibrationTools();
    qemuImg = tools.reference.command[0] ?? 'qemu-img';
    images = new ImageCache({ qemuImg, qemuIo: tools.qemuIo, timeoutMs: 30_000 });
  });
  afterAll(() => images.dispose());

  test('the sample holds every arbitrary and every source layout that rounds differently', () => {
    for (const [name, specs] of sources) expect(specs.length, name).toBeGreaterThan(0);
    const layouts = new Set(sources.flatMap(([, specs]) => specs.map((s) => ('subformat' in s.layout ? `${s.layout.format}/${s.layout.subformat}` : s.layout.format))));
    for (const layout of ['raw', 'qcow2', 'vmdk/monolithicSparse', 'vmdk/streamOptimized', 'vpc/dynamic', 'vpc/fixed', 'vhdx']) expect(layouts, layout).toContain(layout);
  });

  test.each(sources.map(([name, specs]) => [name, specs] as const))('%s sources', async (_name, specs) => {
    for (const spec of specs) {
      const image = await images.get(spec);
      const info = await runProcess([qemuImg, 'info', '-f', spec.layout.format, '--output=json', image.path], { timeoutMs: 30_000 });
      expect(info.termination, info.stderr).toEqual({ kind: 'exited', code: 0 });
      const reported = (parseExactJson(info.stdout) as { 'virtual-size': number | bigint })['virtual-size'];
      expect(image.virtualSize, JSON.stringify(spec)).toBe(reported);
      expect(predictedVirtualSize(spec)).toBe(reported);
    }
  }, 120_000);
});
