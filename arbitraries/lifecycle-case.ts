import fc from 'fast-check';
import type { Extent, ImageSpec } from '../images/image-spec.ts';

const KiB = 1024;

/**
 * A life-cycle case: a qcow2 image with data, then a sequence of in-place
 * commands (writes, snapshot, bitmap, resize, amend) applied to the
 * reference's copy and the candidate's copy alike. Commands are plain data,
 * so a case is JSON (corpus, report, replay) and shrinks as an array: fewer
 * commands first, then simpler ones.
 */
export interface LifecycleCase {
  readonly base: ImageSpec;
  readonly steps: readonly LifecycleStep[];
}

/** Where a write lands: per-mille of the virtual size, and a length in 512-byte sectors. */
export interface Region {
  readonly at: number;
  readonly sectors: number;
}

/**
 * Which snapshot a `-d`/`-a` names, resolved against the model when the step
 * runs (so that shrinking earlier steps keeps later ones meaningful): the
 * name or the id of the `pick`-th live snapshot, or a literal that may match
 * nothing (or, being digits, an id).
 */
export type SnapshotTarget =
  | { readonly by: 'name' | 'id'; readonly pick: number }
  | { readonly by: 'literal'; readonly value: string };

export type BitmapAction = 'remove' | 'clear' | 'enable' | 'disable';

export type LifecycleStep =
  | { readonly do: 'write'; readonly region: Region; readonly fill: number }
  | { readonly do: 'write-zeroes'; readonly region: Region }
  /** Whole clusters, so that what a discard leaves reads as zeros on any qcow2. */
  | { readonly do: 'discard'; readonly region: Region }
  | { readonly do: 'snapshot-create'; readonly name: string }
  | { readonly do: 'snapshot-delete'; readonly target: SnapshotTarget }
  | { readonly do: 'snapshot-apply'; readonly target: SnapshotTarget }
  | { readonly do: 'snapshot-list' }
  | { readonly do: 'bitmap-add'; readonly bitmap: number; readonly granularity: number | null; readonly disabled: boolean }
  | { readonly do: `bitmap-${BitmapAction}`; readonly bitmap: number }
  | { readonly do: 'bitmap-merge'; readonly source: number; readonly bitmap: number }
  /** `resize +N` in 64 KiB units: grows only, as a shrink needs --shrink and loses data by design. */
  | { readonly do: 'resize'; readonly grow64k: number }
  | { readonly do: 'amend'; readonly lazyRefcounts: boolean };

/**
 * Snapshot names: plain, duplicates of each other, digits that look like an
 * id, spaces, multibyte UTF-8 (instar's `-l` padded those by characters),
 * the longest name qemu keeps whole (255 bytes), and two that instar refuses
 * by design: the empty name and one byte over (qemu-img truncates it).
 */
export const SNAPSHOT_NAMES: readonly string[] = ['alpha', 'beta', '2', 'snap with spaces', 'snäp-名前', 'L'.repeat(255), '', 'M'.repeat(256)];

/** `-g` values: none (the default), the smallest, cluster-like ones and a large one. */
export const BITMAP_GRANULARITIES: ReadonlyArray<number | null> = [null, 512, 4096, 65536, 1024 * KiB];

const regionArbitrary: fc.Arbitrary<Region> = fc.record({
  at: fc.integer({ min: 0, max: 999 }),
  sectors: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 256 })),
});

const snapshotTargetArbitrary: fc.Arbitrary<SnapshotTarget> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.record({ by: fc.constant('name' as const), pick: fc.nat({ max: 15 }) }), weight: 3 },
  { arbitrary: fc.record({ by: fc.constant('id' as const), pick: fc.nat({ max: 15 }) }), weight: 2 },
  { arbitrary: fc.record({ by: fc.constant('literal' as const), value: fc.constantFrom('no-such-snapshot', '1', '7') }), weight: 1 },
);

const bitmapIndex = fc.nat({ max: 3 });

/**
 * One command. Snapshot commands come most often (the family with the
 * most real bugs), writes next, so that snapshots hold distinct content.
 * Shrinks toward a write.
 */
export const lifecycleStepArbitrary: fc.Arbitrary<LifecycleStep> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.record({ do: fc.constant('write' as const), region: regionArbitrary, fill: fc.integer({ min: 1, max: 255 }) }), weight: 4 },
  { arbitrary: fc.record({ do: fc.constant('write-zeroes' as const), region: regionArbitrary }), weight: 1 },
  { arbitrary: fc.record({ do: fc.constant('discard' as const), region: regionArbitrary }), weight: 1 },
  { arbitrary: fc.record({ do: fc.constant('snapshot-create' as const), name: fc.constantFrom(...SNAPSHOT_NAMES) }), weight: 5 },
  { arbitrary: fc.record({ do: fc.constant('snapshot-delete' as const), target: snapshotTargetArbitrary }), weight: 3 },
  { arbitrary: fc.record({ do: fc.constant('snapshot-apply' as const), target: snapshotTargetArbitrary }), weight: 3 },
  { arbitrary: fc.record({ do: fc.constant('snapshot-list' as const) }), weight: 2 },
  {
    arbitrary: fc.record({ do: fc.constant('bitmap-add' as const), bitmap: bitmapIndex, granularity: fc.constantFrom(...BITMAP_GRANULARITIES), disabled: fc.boolean() }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ do: fc.constantFrom('bitmap-remove' as const, 'bitmap-clear' as const, 'bitmap-enable' as const, 'bitmap-disable' as const), bitmap: bitmapIndex }),
    weight: 2,
  },
  { arbitrary: fc.record({ do: fc.constant('bitmap-merge' as const), source: bitmapIndex, bitmap: bitmapIndex }), weight: 1 },
  { arbitrary: fc.record({ do: fc.constant('resize' as const), grow64k: fc.integer({ min: 1, max: 16 }) }), weight: 1 },
  { arbitrary: fc.record({ do: fc.constant('amend' as const), lazyRefcounts: fc.boolean() }), weight: 1 },
);

/** Distinct non-zero fill bytes per extent, so extents are told apart. */
const fillFor = (index: number): number => ((index * 0x47 + 0x21) % 255) + 1;

/**
 * The base: a qcow2 of 64 KiB to 4 MiB (whole 64 KiB units, so any cluster
 * size divides it) with up to three data extents. Cluster sizes 512, 4 KiB
 * and 64 KiB, as the peer fuzzer's snapshot plans use (2 MiB clusters make
 * every step slow and instar refuses most of them). Shrinks toward the
 * smallest empty image with default options.
 */
export const lifecycleBaseArbitrary: fc.Arbitrary<ImageSpec> = fc
  .record({
    clusterSize: fc.constantFrom(65536, 512, 4096),
    units: fc.integer({ min: 1, max: 64 }),
    lazyRefcounts: fc.boolean(),
    extents: fc.array(fc.record({ at: fc.integer({ min: 0, max: 999 }), sectors: fc.integer({ min: 1, max: 256 }) }), { maxLength: 3 }),
  })
  .map(({ clusterSize, units, lazyRefcounts, extents }) => {
    const size = units * 64 * KiB;
    const placed: Extent[] = extents.map((e, index) => {
      const { offset, length } = resolveRegion(e, size);
      return { offset, length, fill: fillFor(index) };
    });
    return { layout: { format: 'qcow2', clusterSize, extendedL2: false, lazyRefcounts }, size, extents: placed };
  });

export const lifecycleCaseArbitrary: fc.Arbitrary<LifecycleCase> = fc.record({
  base: lifecycleBaseArbitrary,
  steps: fc.array(lifecycleStepArbitrary, { minLength: 1, maxLength: 8 }),
});

/** A region in bytes inside `size`: 512-byte aligned, at least one sector, never past the end. */
export function resolveRegion(region: Region, size: number): { offset: number; length: number } {
  const sectors = Math.floor(size / 512);
  const first = Math.min(Math.floor((region.at * sectors) / 1000), sectors - 1);
  const count = Math.min(region.sectors, sectors - first);
  return { offset: first * 512, length: count * 512 };
}

/** A region widened to whole clusters (size is a multiple of every cluster size generated). */
export function clusterAligned(region: { offset: number; length: number }, clusterSize: number, size: number): { offset: number; length: number } {
  const start = Math.floor(region.offset / clusterSize) * clusterSize;
  const end = Math.min(size, Math.ceil((region.offset + region.length) / clusterSize) * clusterSize);
  return { offset: start, length: end - start };
}

/** `b0` … `b3`. */
export const bitmapName = (index: number): string => `b${index}`;
