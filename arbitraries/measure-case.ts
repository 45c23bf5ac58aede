import fc from 'fast-check';
import type { KeyValue } from '../drivers/requests.ts';
import type { ImageFormat, ImageSpec } from '../images/image-spec.ts';
import { imageSpecArbitrary } from './image-spec.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * The input of one `measure`: a source image (qcow2 ones may carry
 * persistent dirty bitmaps, which `bitmaps size` counts), or `--size N`.
 */
export type MeasureInput =
  | {
      readonly kind: 'source';
      readonly source: ImageSpec;
      /** Granularities in bytes, one bitmap each; only qcow2 sources have any. */
      readonly bitmaps: readonly number[];
    }
  /**
   * `--size N`, in decimal digits: sizes reach INT64_MAX, beyond 2^53, and
   * the case JSON (corpus, reports) must keep them exact.
   */
  | { readonly kind: 'size'; readonly size: string };

/** The target format and its `-o` options, in a fixed order. */
export interface MeasureTarget {
  readonly format: ImageFormat;
  readonly options: readonly KeyValue[];
}

export interface MeasureCase {
  readonly input: MeasureInput;
  readonly target: MeasureTarget;
  readonly output: 'json' | 'human';
}

/** qemu-img measures only these; the others are checked against the candidate itself. */
export function qemuMeasures(format: ImageFormat): boolean {
  return format === 'raw' || format === 'qcow2';
}

/**
 * Every option is drawn whatever the format and the unused ones dropped, so
 * each shrinks on its own, toward "absent" (the tool's default). Invalid
 * combinations (extended_l2 with small clusters, preallocation=metadata on
 * raw) stay in: both tools must refuse them alike.
 */
const targetArbitrary: fc.Arbitrary<MeasureTarget> = fc
  .record({
    // raw and qcow2 (compared with qemu-img) are drawn more often than the
    // self-checked formats, which calibration can only skip; shrinks to raw.
    format: fc.oneof(
      { withCrossShrink: true },
      { arbitrary: fc.constant<ImageFormat>('raw'), weight: 3 },
      { arbitrary: fc.constant<ImageFormat>('qcow2'), weight: 5 },
      { arbitrary: fc.constantFrom<ImageFormat>('vmdk', 'vpc', 'vhdx'), weight: 3 },
    ),
    clusterBits: fc.option(fc.integer({ min: 9, max: 21 })),
    extendedL2: fc.option(fc.boolean()),
    refcountBits: fc.option(fc.constantFrom(16, 1, 2, 4, 8, 32, 64)),
    preallocation: fc.option(fc.constantFrom('off', 'metadata', 'falloc', 'full')),
    vmdkSubformat: fc.option(fc.constantFrom('monolithicSparse', 'streamOptimized')),
    vpcSubformat: fc.option(fc.constantFrom('dynamic', 'fixed')),
    vhdxBlockMiB: fc.option(fc.constantFrom(8, 1, 32)),
  })
  .map((t): MeasureTarget => {
    const options: KeyValue[] = [];
    const add = (key: string, value: string | number | boolean | null): void => {
      if (value !== null) options.push([key, typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value)]);
    };
    switch (t.format) {
      case 'raw':
        add('preallocation', t.preallocation);
        break;
      case 'qcow2':
        add('cluster_size', t.clusterBits === null ? null : 2 ** t.clusterBits);
        add('extended_l2', t.extendedL2);
        add('refcount_bits', t.refcountBits);
        add('preallocation', t.preallocation);
        break;
      case 'vmdk':
        add('subformat', t.vmdkSubformat);
        break;
      case 'vpc':
        add('subformat', t.vpcSubformat);
        break;
      case 'vhdx':
        add('block_size', t.vhdxBlockMiB === null ? null : t.vhdxBlockMiB * MiB);
        break;
    }
    return { format: t.format, options };
  });

/** The largest `--size` qemu-img takes (INT64_MAX, in 7.2 and 10.0). */
export const MAX_MEASURE_SIZE = 2n ** 63n - 1n;

/**
 * Mostly image-like sizes; some up to 1 TiB; a few far beyond what formats
 * allow, up to 2^53; and some past 2^53, where only exact integers tell two
 * neighbouring figures apart. The last range starts just below 2^53 so that
 * a bug there shrinks to the first size past it. Every range shrinks toward
 * its smallest value.
 */
const measureSizeArbitrary: fc.Arbitrary<bigint> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.bigInt({ min: 0n, max: BigInt(64 * MiB) }), weight: 4 },
  { arbitrary: fc.bigInt({ min: 0n, max: BigInt(1024 * GiB) }), weight: 2 },
  { arbitrary: fc.bigInt({ min: BigInt(1024 * GiB), max: 2n ** 53n }), weight: 1 },
  { arbitrary: fc.bigInt({ min: 2n ** 53n - BigInt(MiB), max: MAX_MEASURE_SIZE }), weight: 1 },
);

/** The smallest size of each band of measureSizeArbitrary, in its order (for the reduction pass). */
export const MEASURE_SIZE_BAND_MINIMA: readonly bigint[] = [0n, 0n, BigInt(1024 * GiB), 2n ** 53n - BigInt(MiB)];

/** 512 B … 64 MiB bitmap granularity, shrinking toward qemu's 64 KiB default. */
const granularityArbitrary = fc.oneof(fc.constant(65536), fc.integer({ min: 9, max: 26 }).map((b) => 2 ** b));

/** Sources first: a bug seen with both shrinks to a source image. */
const inputArbitrary: fc.Arbitrary<MeasureInput> = fc.oneof(
  { withCrossShrink: true },
  {
    arbitrary: fc
      .record({ source: imageSpecArbitrary, bitmaps: fc.array(granularityArbitrary, { maxLength: 2 }) })
      .map(({ source, bitmaps }): MeasureInput => ({
        kind: 'source',
        source,
        bitmaps: source.layout.format === 'qcow2' ? bitmaps : [],
      })),
    weight: 3,
  },
  { arbitrary: measureSizeArbitrary.map((size): MeasureInput => ({ kind: 'size', size: size.toString() })), weight: 1 },
);

export const measureCaseArbitrary: fc.Arbitrary<MeasureCase> = fc.record({
  input: inputArbitrary,
  target: targetArbitrary,
  output: fc.constantFrom('json' as const, 'human' as const),
});
