import fc from 'fast-check';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { imageSizeArbitrary } from '../arbitraries/image-spec.ts';
import { runProcess } from '../drivers/run-process.ts';
import { scratchDir } from '../images/scratch.ts';
import { calibrationTools } from './support/tools.ts';
import { geometryFor, VHD_MAX_GEOMETRY, vpcVirtualSize } from '../oracles/vpc-geometry.ts';

const GiB = 1024 ** 3;
const MAX_GEOMETRY_BYTES = VHD_MAX_GEOMETRY * 512;

describe('VHD geometry model: known values', () => {
  test('FACTS.md: 4 GiB becomes 4,295,467,008 bytes; bug 3: 35,651,584 bytes become 69,700 sectors', () => {
    expect(vpcVirtualSize(4 * GiB)).toBe(4_295_467_008);
    expect(vpcVirtualSize(35_651_584)).toBe(69_700 * 512);
    expect(vpcVirtualSize(35_651_584)).not.toBe(69_936 * 512);
  });

  test('the smallest image is one cylinder of 4 heads × 17 sectors', () => {
    expect(geometryFor(1)).toEqual({ cylinders: 0, heads: 4, sectorsPerTrack: 17 });
    expect(vpcVirtualSize(1)).toBe(4 * 17 * 512);
    expect(vpcVirtualSize(4 * 17 * 512)).toBe(4 * 17 * 512);
    expect(vpcVirtualSize(4 * 17 * 512 + 1)).toBe(2 * 4 * 17 * 512);
  });

  test('force_size keeps the size, rounded up to a sector', () => {
    expect(vpcVirtualSize(1, true)).toBe(512);
    expect(vpcVirtualSize(35_651_584, true)).toBe(35_651_584);
    expect(vpcVirtualSize(4 * GiB + 1, true)).toBe(4 * GiB + 512);
  });

  test('at and past the largest geometry the size is kept as asked', () => {
    expect(geometryFor(VHD_MAX_GEOMETRY)).toEqual({ cylinders: 65535, heads: 16, sectorsPerTrack: 255 });
    expect(geometryFor(VHD_MAX_GEOMETRY * 2)).toEqual({ cylinders: 65535, heads: 16, sectorsPerTrack: 255 });
    expect(vpcVirtualSize(MAX_GEOMETRY_BYTES)).toBe(MAX_GEOMETRY_BYTES);
    expect(vpcVirtualSize(MAX_GEOMETRY_BYTES + 512)).toBe(MAX_GEOMETRY_BYTES + 512);
    expect(vpcVirtualSize(1000 * GiB + 1)).toBe(1000 * GiB + 512);
  });
});

describe('VHD geometry model against qemu-img create -f vpc', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let qemuImg: string;
  let counter = 0;
  beforeAll(async () => {
    dir = await scratchDir('vpc-geometry');
    qemuImg = (await calibrationTools()).reference.command[0] ?? 'qemu-img';
  });
  afterAll(() => dir.cleanup());

  /** The virtual size qemu-img gives `create -f vpc [-o ...] SIZE`. */
  async function qemuVirtualSize(size: number, options: string[]): Promise<number> {
    const file = join(dir.path, `${counter++}.vpc`);
    const opts = options.length > 0 ? ['-o', options.join(',')] : [];
    const created = await runProcess([qemuImg, 'create', '-q', '-f', 'vpc', ...opts, file, String(size)], { timeoutMs: 30_000 });
    expect(created.termination, created.stderr).toEqual({ kind: 'exited', code: 0 });
    // -f vpc: a fixed VHD has no header, and a probe would call it raw.
    const info = await runProcess([qemuImg, 'info', '-f', 'vpc', '--output=json', file], { timeoutMs: 30_000 });
    await rm(file, { force: true });
    return (JSON.parse(info.stdout) as { 'virtual-size': number })['virtual-size'];
  }

  // Hand-picked edges, the sizes sources are drawn from, and sizes up to
  // qemu's 2040 GiB limit (dynamic images stay small however large).
  const sizes = [
    1, 512, 1000, 34_816, 34_817, 35_651_584, 4 * GiB,
    MAX_GEOMETRY_BYTES - 512, MAX_GEOMETRY_BYTES, MAX_GEOMETRY_BYTES + 512, MAX_GEOMETRY_BYTES + 1, 2040 * GiB,
    ...fc.sample(imageSizeArbitrary, { seed: 3, numRuns: 20 }),
    ...fc.sample(fc.integer({ min: 1, max: 2040 * GiB }), { seed: 3, numRuns: 12 }),
  ];

  test.each([false, true])('dynamic, force_size=%s', async (force) => {
    for (const size of sizes) {
      const actual = await qemuVirtualSize(size, force ? ['force_size=on'] : []);
      expect(vpcVirtualSize(size, force), `size ${size}`).toBe(actual);
    }
  });

  test('fixed images get the same geometry', async () => {
    // Fixed images allocate their whole size, so only the sizes sources use.
    for (const size of [1, 35_651_584, ...fc.sample(imageSizeArbitrary, { seed: 5, numRuns: 8 })]) {
      expect(vpcVirtualSize(size), `size ${size}`).toBe(await qemuVirtualSize(size, ['subformat=fixed']));
    }
  });
});
