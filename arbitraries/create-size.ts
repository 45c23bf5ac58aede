import fc from 'fast-check';

/**
 * Sizes for `create` as a user types them: plain byte counts, unit
 * suffixes ("64K", "1.5k") and byte counts near a format's limit. Each
 * carries what qemu-img 7.2 takes it to mean, so oracles and whitelist
 * entries never parse the text again.
 */
export interface SizeText {
  readonly text: string;
  /**
   * The bytes qemu-img reads from `text` (before the format rounds it up),
   * or null when the text is not a size qemu-img accepts. Exact: qcow2
   * near-limit sizes reach 2^61.
   */
  readonly bytes: bigint | null;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

/** qemu_strtosz's suffixes (case-insensitive; "b" is bytes). */
export const SIZE_UNITS = { b: 1, k: KiB, K: KiB, M: MiB, G: GiB, T: TiB } as const;
export type SizeUnit = keyof typeof SIZE_UNITS;

export function plainBytes(bytes: number | bigint): SizeText {
  const big = BigInt(bytes);
  return { text: big.toString(), bytes: big };
}

const FRACTIONS = ['', '.25', '.5', '.75'] as const;

/** "3k", "3.25k", "1.5M": quarters keep the product a whole number of bytes. */
export function suffixed(whole: number, quarters: 0 | 1 | 2 | 3, unit: SizeUnit): SizeText {
  const text = `${whole}${FRACTIONS[quarters]}${unit}`;
  // qemu-img refuses a fraction of a byte ("1.5b").
  if (unit === 'b' && quarters !== 0) return { text, bytes: null };
  return { text, bytes: ((BigInt(whole) * 4n + BigInt(quarters)) * BigInt(SIZE_UNITS[unit])) / 4n };
}

const quarters = fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3);

/**
 * Sizes for formats that do not write real blocks at creation. Shrinks
 * toward "0" (plain bytes first), then smaller numbers.
 */
export const sparseSizeArbitrary: fc.Arbitrary<SizeText> = fc.oneof(
  { withCrossShrink: true },
  // Small and mostly not a multiple of 512: every format rounds these up.
  { arbitrary: fc.integer({ min: 0, max: 64 * KiB }).map(plainBytes), weight: 4 },
  { arbitrary: fc.integer({ min: 64 * KiB, max: 64 * MiB }).map(plainBytes), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 4096 }), fc.constantFrom<SizeUnit>('k', 'K', 'b', 'M'))
      .map(([whole, unit]) => suffixed(unit === 'M' ? whole % 257 : whole, 0, unit)),
    weight: 3,
  },
  // Fractions: "1.5k", "0.25M".
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 64 }), quarters, fc.constantFrom<SizeUnit>('k', 'K', 'M'))
      .map(([whole, q, unit]) => suffixed(whole, q, unit)),
    weight: 1,
  },
  // Past 1 GiB, where vhdx's default block size grows; up to 200 GiB.
  {
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 200 }), quarters).map(([whole, q]) => suffixed(whole, q, 'G')),
    weight: 2,
  },
);

/**
 * The smallest size of each band of sparseSizeArbitrary, in its order,
 * written the simplest way (for the reduction pass). Every allocating
 * band's minimum (0 and 64 KiB) is among them.
 */
export const SPARSE_SIZE_BAND_MINIMA: readonly SizeText[] = [
  plainBytes(0),
  plainBytes(64 * KiB),
  plainBytes(0),
  plainBytes(0),
  suffixed(1, 0, 'G'),
];

/** The largest size sparseSizeArbitrary draws: "200.75G". */
export const SPARSE_SIZE_MAX: SizeText = suffixed(200, 3, 'G');

/** At most 16 MiB, for layouts that write every block (preallocation, fixed subformats). */
export const ALLOCATING_SIZE_CAP = 16 * MiB;

export const allocatingSizeArbitrary: fc.Arbitrary<SizeText> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.integer({ min: 0, max: 64 * KiB }).map(plainBytes), weight: 3 },
  { arbitrary: fc.integer({ min: 64 * KiB, max: ALLOCATING_SIZE_CAP }).map(plainBytes), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 16 }), quarters, fc.constantFrom<SizeUnit>('k', 'M'))
      .map(([whole, q, unit]) => suffixed(unit === 'M' ? Math.min(whole, 15) : whole, q, unit)),
    weight: 1,
  },
);

/**
 * A distance below a format's size limit, resolved once the limit is known:
 * whole sectors below it, plus an unaligned remainder. Both shrink to 0,
 * i.e. exactly the limit.
 */
export interface NearLimit {
  readonly sectorsBelow: number;
  readonly bytesBelow: number;
}

export const nearLimitArbitrary: fc.Arbitrary<NearLimit> = fc.record({
  sectorsBelow: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4096 })),
  bytesBelow: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 511 })),
});

/** The limit itself in its shortest suffix form, otherwise plain bytes. */
export function nearLimitSize(limit: bigint, near: NearLimit): SizeText {
  const bytes = limit - BigInt(near.sectorsBelow) * 512n - BigInt(near.bytesBelow);
  if (bytes === limit) {
    for (const unit of ['T', 'G'] as const) {
      const per = BigInt(SIZE_UNITS[unit]);
      if (limit % per === 0n) return { text: `${limit / per}${unit}`, bytes: limit };
    }
  }
  return plainBytes(bytes);
}

/** Just past a limit: the limit plus 1 to 512 bytes, or whole units more. */
export function pastLimitSize(limit: bigint, extraBytes: number): SizeText {
  return plainBytes(limit + BigInt(extraBytes));
}

/** Sizes qemu-img's parser rejects as too large for any format (over INT64_MAX). */
export const OVERFLOWING_SIZES: readonly SizeText[] = [
  { text: '8E', bytes: null },
  { text: '9223372036854775808', bytes: null },
  { text: '16384P', bytes: null },
];

/** Texts that are not sizes: unknown suffixes, a fraction without a unit, exponents. */
export const BAD_SUFFIXES: readonly string[] = ['x', 'KB', 'kb', 'Q', 'MiB', '.5', 'e3', '.5b'];
