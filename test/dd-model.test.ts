import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ddCaseArbitrary, resolveDdWindow, type DdCase } from '../arbitraries/dd-case.ts';
import { succeeded } from '../drivers/process-outcome.ts';
import { runTool } from '../drivers/tool.ts';
import { expectedContent } from '../images/expected-content.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import { compareContent, describeContentDifference } from '../oracles/content.ts';
import { createdSize, predictDd, predictDdContent } from '../oracles/dd-model.ts';
import { readImage } from '../oracles/read-image.ts';
import { withCaseDir } from '../properties/case-workspace.ts';
import { ddEnv } from './support/dd-env.ts';
import { calibrationTools } from './support/tools.ts';

/** 10000 bytes of data as qemu sees them: a raw image rounded up to 10240 bytes. */
const SOURCE_10000 = 10240;

describe('dd model: hand-computed cases', () => {
  test('count clamps the end before skip: bs=1000 count=7 skip=3 copies 4000 bytes from offset 3000', () => {
    // GNU dd would copy 7000 bytes (count after skip); qemu-img copies 7000 - 3000.
    expect(predictDd(SOURCE_10000, { bs: 1000, count: 7, skip: 3 }, 'raw')).toEqual({
      kind: 'succeeds',
      start: 3000,
      length: 4000,
      outputSize: 4096,
      skipPastEnd: false,
    });
  });

  test('count within the image sets the end; count beyond it leaves the image size', () => {
    // floor(10240 / 1000) = 10 whole blocks: count=10 ends at 10000, count=11 at the image end.
    expect(predictDd(SOURCE_10000, { bs: 1000, count: 10, skip: undefined }, 'raw')).toMatchObject({ start: 0, length: 10000 });
    expect(predictDd(SOURCE_10000, { bs: 1000, count: 11, skip: undefined }, 'raw')).toMatchObject({ start: 0, length: 10240 });
    expect(predictDd(SOURCE_10000, { bs: 1000, count: 500, skip: 2 }, 'raw')).toMatchObject({ start: 2000, length: 8240 });
  });

  test('the last partial block is copied', () => {
    expect(predictDd(SOURCE_10000, { bs: 4096, count: undefined, skip: undefined }, 'raw')).toMatchObject({ start: 0, length: 10240, outputSize: 10240 });
    expect(predictDd(SOURCE_10000, { bs: 1000, count: undefined, skip: 10 }, 'raw')).toMatchObject({ start: 10000, length: 240, outputSize: 512 });
  });

  test('skip exactly at the end gives an empty output, silently', () => {
    expect(predictDd(SOURCE_10000, { bs: 1024, count: undefined, skip: 10 }, 'raw')).toEqual({
      kind: 'succeeds',
      start: 10240,
      length: 0,
      outputSize: 0,
      skipPastEnd: false,
    });
    // The end is the count-clamped one: count=5 skip=5 is empty too.
    expect(predictDd(SOURCE_10000, { bs: 1000, count: 5, skip: 5 }, 'raw')).toMatchObject({ length: 0, skipPastEnd: false });
  });

  test('skip past the end gives an empty output with a warning', () => {
    expect(predictDd(SOURCE_10000, { bs: 1000, count: undefined, skip: 11 }, 'raw')).toEqual({
      kind: 'succeeds',
      start: 10240,
      length: 0,
      outputSize: 0,
      skipPastEnd: true,
    });
    expect(predictDd(SOURCE_10000, { bs: 1000, count: 5, skip: 6 }, 'qcow2')).toMatchObject({ length: 0, skipPastEnd: true });
  });

  test('count=0 is an empty window', () => {
    expect(predictDd(SOURCE_10000, { bs: 512, count: 0, skip: undefined }, 'raw')).toMatchObject({ length: 0, outputSize: 0, skipPastEnd: false });
  });

  test('outputs round up to 512 bytes: bs=1 count=1 gives 512', () => {
    expect(predictDd(SOURCE_10000, { bs: 1, count: 1, skip: undefined }, 'raw')).toMatchObject({ length: 1, outputSize: 512 });
    expect(predictDd(SOURCE_10000, { bs: 1, count: 513, skip: undefined }, 'raw')).toMatchObject({ length: 513, outputSize: 1024 });
    for (const format of ['raw', 'qcow2', 'vmdk', 'vhdx'] as const) expect(createdSize(format, 1234)).toBe(1536);
  });

  test('an empty window fails with -O vmdk only', () => {
    expect(predictDd(SOURCE_10000, { bs: 512, count: 0, skip: undefined }, 'vmdk')).toMatchObject({ kind: 'fails' });
    expect(predictDd(SOURCE_10000, { bs: 1000, count: undefined, skip: 11 }, 'vmdk')).toMatchObject({ kind: 'fails' });
    expect(predictDd(SOURCE_10000, { bs: 512, count: 1, skip: undefined }, 'vmdk')).toMatchObject({ kind: 'succeeds', outputSize: 512 });
    expect(predictDd(SOURCE_10000, { bs: 512, count: 0, skip: undefined }, 'vhdx')).toMatchObject({ kind: 'succeeds', outputSize: 0 });
  });

  test('-O vpc rounds up to a CHS geometry', () => {
    // FACTS.md bug 3: a 35,651,584-byte window is 69,700 sectors in qemu (instar picked 69,936).
    expect(createdSize('vpc', 35_651_584)).toBe(69_700 * 512);
    expect(predictDd(35_651_584, { bs: 1_048_576, count: undefined, skip: undefined }, 'vpc')).toMatchObject({
      length: 35_651_584,
      outputSize: 35_686_400,
    });
    // The smallest geometry is 4 heads × 17 sectors.
    expect(predictDd(SOURCE_10000, { bs: 1, count: 1, skip: undefined }, 'vpc')).toMatchObject({ length: 1, outputSize: 68 * 512 });
  });

  test('predicted content: the window, then zeros up to the output size', () => {
    const source = Buffer.alloc(SOURCE_10000);
    for (let i = 0; i < 10000; i++) source[i] = (i % 251) + 1;
    const prediction = predictDd(SOURCE_10000, { bs: 1000, count: 7, skip: 3 }, 'raw');
    if (prediction.kind !== 'succeeds') throw new Error('expected success');
    const out = predictDdContent(source, prediction);
    expect(out.length).toBe(4096);
    expect(out.subarray(0, 4000).equals(source.subarray(3000, 7000))).toBe(true);
    expect(out.subarray(4000).every((b) => b === 0)).toBe(true);
    // A view into a larger buffer is read at its own offset.
    const view = Buffer.concat([Buffer.alloc(100, 0xee), source]).subarray(100);
    expect(predictDdContent(view, prediction).equals(out)).toBe(true);
  });
});

describe('dd model against qemu-img dd', async () => {
  const tools = await calibrationTools();
  const env = ddEnv(tools);
  afterAll(() => env.images.dispose());

  /** Runs qemu-img dd on the case and checks exit status, warning, size and bytes against the model. */
  async function expectModelToMatchQemu(ddCase: DdCase): Promise<void> {
    const source = await env.images.get(ddCase.source);
    const window = resolveDdWindow(ddCase, source.virtualSize);
    const prediction = predictDd(source.virtualSize, window, ddCase.target);
    const what = `${JSON.stringify(window)} -O ${ddCase.target} from ${source.virtualSize} bytes of ${ddCase.source.layout.format}`;
    await withCaseDir(async (dir) => {
      const output = join(dir, `out.${ddCase.target}`);
      const request = { op: 'dd', input: source.path, inputFormat: source.format, output, outputFormat: ddCase.target, ...window } as const;
      const outcome = await runTool(tools.reference, request, 30_000);
      if (prediction.kind === 'fails') {
        expect(outcome.termination, what).toEqual({ kind: 'exited', code: 1 });
        return;
      }
      expect(succeeded(outcome), `${what}: ${outcome.stderr}`).toBe(true);
      expect(outcome.stderr.includes('cannot skip to specified offset'), `${what}: warning`).toBe(prediction.skipPastEnd);
      const reading = await readImage(env.qemuImg, output, ddCase.target, dir, 30_000);
      if (reading.kind !== 'read') throw new Error(`${what}: qemu-img cannot read its own output`);
      expect(reading.virtualSize, `${what}: size`).toBe(prediction.outputSize);
      const predicted = predictDdContent(expectedContent(source.spec, source.virtualSize), prediction);
      const diff = compareContent(predicted, reading.bytes);
      expect(diff && describeContentDifference(diff, 'model', 'qemu-img'), what).toBeUndefined();
    });
  }

  const raw10000: ImageSpec = {
    layout: { format: 'raw' },
    size: 10000,
    extents: [
      { offset: 0, length: 10000, fill: 0x11 },
      { offset: 2999, length: 2, fill: 0x22 },
      { offset: 6999, length: 3002, fill: 0x33 },
    ],
  };
  const at = (n: number) => ({ kind: 'blocks', n }) as const;
  const absent = { kind: 'absent' } as const;

  test.each<[string, DdCase]>([
    ['FACTS example: bs=1000 count=7 skip=3', { source: raw10000, target: 'raw', bs: 1000, count: at(7), skip: at(3) }],
    ['skip exactly at the end', { source: raw10000, target: 'raw', bs: 1024, count: absent, skip: at(10) }],
    ['skip past the end', { source: raw10000, target: 'qcow2', bs: 1000, count: absent, skip: at(11) }],
    ['last partial block, non-512 bs', { source: raw10000, target: 'vhdx', bs: 4095, count: absent, skip: at(1) }],
    ['bs=1 count=1', { source: raw10000, target: 'raw', bs: 1, count: at(1), skip: absent }],
    ['empty window to vmdk', { source: raw10000, target: 'vmdk', bs: 512, count: at(0), skip: absent }],
    ['empty window to vhdx', { source: raw10000, target: 'vhdx', bs: 1000, count: at(5), skip: at(5) }],
    ['count beyond EOF to vpc', { source: raw10000, target: 'vpc', bs: 999, count: at(16), skip: at(2) }],
    [
      'FACTS bug 3: a 35,651,584-byte window to vpc',
      {
        source: { layout: { format: 'raw' }, size: 35_651_584, extents: [{ offset: 35_651_000, length: 584, fill: 0x44 }] },
        target: 'vpc',
        bs: 1_048_576,
        count: absent,
        skip: absent,
      },
    ],
  ])('%s', async (_name, ddCase) => {
    await expectModelToMatchQemu(ddCase);
  });

  test('a fixed-seed sample of generated cases', async () => {
    const sample = fc.sample(ddCaseArbitrary, { seed: 20260624, numRuns: 30 });
    for (const ddCase of sample) await expectModelToMatchQemu(ddCase);
  });
});
