import fc from 'fast-check';
import type { ImageSpec } from '../images/image-spec.ts';
import { imageSpecArbitrary } from './image-spec.ts';

/**
 * A case of the `bench` OPERATION (`qemu-img bench`), not the suite's own
 * benchmark in bench/. Sizes and offsets that depend on the source are
 * drawn as per-mille of its virtual size, so they stay meaningful while the
 * source shrinks.
 */
export interface BenchOpCase {
  readonly source: ImageSpec;
  /** -w: write the pattern byte instead of reading. */
  readonly write: boolean;
  /** -c, kept small: cases must stay fast, and the schedule stays readable. */
  readonly count: number;
  /** -d: echoed in the header; instar runs serially whatever it is. */
  readonly depth: number;
  /** -s in bytes. */
  readonly bufferSize: number;
  /** -S in bytes; 0 means "the buffer size" to qemu-img. */
  readonly step: number;
  readonly pattern: number;
  /** -o as per-mille of the source's virtual size (0 half the time). */
  readonly offsetPermille: number;
  /** --flush-interval N, and whether --no-drain goes with it; null leaves both out (null, not undefined: cases are JSON, in the corpus and in reports). */
  readonly flush: { readonly interval: number; readonly drain: boolean } | null;
}

const KiB = 1024;

/** Small-cluster qcow2 (512 B to 16 KiB): instar once refused `bench -w` on them (FACTS.md, bug 8). */
const smallClusterQcow2: fc.Arbitrary<ImageSpec> = fc
  .record({ spec: imageSpecArbitrary, clusterBits: fc.integer({ min: 9, max: 14 }), lazyRefcounts: fc.boolean() })
  .map(({ spec, clusterBits, lazyRefcounts }) => ({ ...spec, layout: { format: 'qcow2', clusterSize: 2 ** clusterBits, extendedL2: false, lazyRefcounts } }));

/** Sources up to 4 MiB: each case flattens both results, and bigger images add time, not schedules. */
const MAX_SOURCE_SIZE = 4 * 1024 * KiB;

export const benchSourceArbitrary: fc.Arbitrary<ImageSpec> = fc
  .oneof({ withCrossShrink: true }, { arbitrary: imageSpecArbitrary, weight: 3 }, { arbitrary: smallClusterQcow2, weight: 2 })
  .filter((spec) => spec.size <= MAX_SOURCE_SIZE);

/** Buffer sizes: single sectors and bytes, the peer fuzzer's straddlers around 4 KiB and 64 KiB, and up to 128 KiB. */
const bufferSizeArbitrary: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.integer({ min: 1, max: 8 }).map((n) => n * 512), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 4096 }), weight: 2 },
  { arbitrary: fc.constantFrom(4095, 4097, 12288, 65535, 65537), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 128 }).map((n) => n * KiB), weight: 1 },
);

/** Steps: 0 (the buffer size), powers of two, odd values, and arbitrary ones that overlap or skip. */
const stepArbitrary: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant(0), weight: 3 },
  { arbitrary: fc.integer({ min: 9, max: 17 }).map((b) => 2 ** b), weight: 2 },
  { arbitrary: fc.constantFrom(513, 777, 1000, 4097, 65537), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 200_000 }), weight: 1 },
);

export const benchOpCaseArbitrary: fc.Arbitrary<BenchOpCase> = fc.record({
  source: benchSourceArbitrary,
  // Writes twice as often: they are where content and check can go wrong.
  write: fc.oneof({ arbitrary: fc.constant(false), weight: 1 }, { arbitrary: fc.constant(true), weight: 2 }),
  count: fc.integer({ min: 1, max: 8 }),
  depth: fc.integer({ min: 1, max: 8 }),
  bufferSize: bufferSizeArbitrary,
  step: stepArbitrary,
  pattern: fc.integer({ min: 0, max: 255 }),
  offsetPermille: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 0, max: 999 }), weight: 1 }),
  flush: fc.option(fc.record({ interval: fc.integer({ min: 0, max: 16 }), drain: fc.boolean() }), { nil: null, freq: 2 }),
});

/** -o in bytes, once the source's virtual size is known. */
export function benchOffsetOf(benchCase: BenchOpCase, virtualSize: number): number {
  return Math.floor((benchCase.offsetPermille * virtualSize) / 1000);
}
