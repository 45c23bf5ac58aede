import fc from 'fast-check';
import type { Extent, ImageLayout, ImageSpec } from '../images/image-spec.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Image layouts. Every field is drawn whatever the format and the unused ones
 * are dropped, so each field shrinks on its own; `format` shrinks toward raw.
 */
export const imageLayoutArbitrary: fc.Arbitrary<ImageLayout> = fc
  .record({
    // qcow2 twice as often: it has the most layouts (and the most real bugs).
    format: fc.oneof(
      { withCrossShrink: true },
      fc.constant('raw' as const),
      { arbitrary: fc.constant('qcow2' as const), weight: 2 },
      fc.constant('vmdk' as const),
      fc.constant('vpc' as const),
      fc.constant('vhdx' as const),
    ),
    // 512 B … 2 MiB, the 64 KiB default among them; sub-64 KiB clusters are
    // where instar's grain-copy bug lived, so they come often.
    clusterBits: fc.oneof({ arbitrary: fc.constant(16), weight: 1 }, { arbitrary: fc.integer({ min: 9, max: 21 }), weight: 2 }),
    extendedL2: fc.boolean(),
    lazyRefcounts: fc.boolean(),
    vmdkSubformat: fc.constantFrom('monolithicSparse' as const, 'streamOptimized' as const),
    vpcSubformat: fc.constantFrom('dynamic' as const, 'fixed' as const),
    vhdxBlockMiB: fc.constantFrom(1, 8, 32),
  })
  .map(({ format, clusterBits, extendedL2, lazyRefcounts, vmdkSubformat, vpcSubformat, vhdxBlockMiB }): ImageLayout => {
    switch (format) {
      case 'raw':
        return { format };
      case 'qcow2':
        // extended_l2 needs clusters of 16 KiB or more; sources stay valid.
        return { format, clusterSize: 2 ** clusterBits, extendedL2: extendedL2 && clusterBits >= 14, lazyRefcounts };
      case 'vmdk':
        return { format, subformat: vmdkSubformat };
      case 'vpc':
        return { format, subformat: vpcSubformat };
      case 'vhdx':
        return { format, blockSize: vhdxBlockMiB * MiB };
    }
  });

/** Mostly small; some unaligned; a few above 32 MiB. Shrinks toward 1 byte. */
export const imageSizeArbitrary: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.integer({ min: 1, max: 64 * KiB }), weight: 5 },
  { arbitrary: fc.integer({ min: 1, max: 128 }).map((k) => k * 32 * KiB), weight: 2 },
  { arbitrary: fc.integer({ min: 64 * KiB, max: 4 * MiB }), weight: 3 },
  { arbitrary: fc.integer({ min: 32 * MiB + 1, max: 72 * MiB }), weight: 1 },
);

/** The smallest size of each band of imageSizeArbitrary, in its order (for the reduction pass). */
export const IMAGE_SIZE_BAND_MINIMA: readonly number[] = [1, 32 * KiB, 64 * KiB, 32 * MiB + 1];

/** Distinct non-zero fill bytes by position, so extents are told apart. */
function fillFor(index: number, zero: boolean): number {
  return zero ? 0 : ((index * 0x35 + 0x11) % 255) + 1;
}

interface RawExtent {
  readonly start: number; // per-mille of the size
  readonly length: number;
  readonly atEnd: boolean;
  readonly zero: boolean;
}

const rawExtentArbitrary: fc.Arbitrary<RawExtent> = fc.record({
  start: fc.integer({ min: 0, max: 999 }),
  length: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 256 * KiB })),
  atEnd: fc.boolean(),
  zero: fc.boolean(),
});

/** Places raw extents within `size`; some end exactly at the last byte. */
function placeExtents(size: number, raw: readonly RawExtent[]): Extent[] {
  return raw.map((r, index) => {
    const length = Math.min(r.length, size);
    const offset = r.atEnd ? size - length : Math.min(Math.floor((r.start * size) / 1000), size - length);
    return { offset, length, fill: fillFor(index, r.zero) };
  });
}

export const imageSpecArbitrary: fc.Arbitrary<ImageSpec> = fc
  .record({
    layout: imageLayoutArbitrary,
    size: imageSizeArbitrary,
    extents: fc.array(rawExtentArbitrary, { maxLength: 4 }),
  })
  .map(({ layout, size, extents }) => ({ layout, size, extents: placeExtents(size, extents) }));
