import fc from 'fast-check';
import type { ImageFormat, ImageSpec } from '../images/image-spec.ts';
import type { Preallocation } from '../drivers/requests.ts';
import { imageSpecArbitrary } from './image-spec.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The new size before the source is known: a change of `delta` bytes to
 * the source's virtual size (0 is a no-op, negative a shrink), typed as an
 * absolute size or as "+N"/"-N" (instar-ops.md section 3: `64M`, `+63M`,
 * `-512K`).
 */
export interface ResizeTarget {
  readonly form: 'absolute' | 'relative';
  readonly delta: number;
}

/** `resize` on its own copy of a source image holding data. */
export interface ResizeCase {
  readonly source: ImageSpec;
  readonly target: ResizeTarget;
  /** `--shrink` given (qemu-img refuses a shrink without it). */
  readonly shrink: boolean;
  /** 'omitted' leaves `--preallocation` out; 'off' passes it explicitly, as the peer fuzzer sometimes does. */
  readonly preallocation: 'omitted' | Preallocation;
}

export const PREALLOCATIONS: readonly ResizeCase['preallocation'][] = ['omitted', 'off', 'metadata', 'falloc', 'full'];

/** The smallest new size drawn: qemu-img refuses 0 ("New image size must be positive"), as it should. */
export const MIN_NEW_SIZE = 512;

/**
 * Deltas: none; whole sectors either way (qcow2 needs them); cluster-sized
 * and MiB steps; and a few unaligned bytes (raw takes them, qcow2 refuses).
 */
const deltaArbitrary: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: -256, max: 256 }).map((n) => n * 512), weight: 4 },
  { arbitrary: fc.integer({ min: -64, max: 64 }).map((n) => n * 64 * KiB), weight: 3 },
  { arbitrary: fc.integer({ min: -8, max: 8 }).map((n) => n * MiB), weight: 1 },
  { arbitrary: fc.integer({ min: -70_000, max: 70_000 }), weight: 1 },
);

export const resizeCaseArbitrary: fc.Arbitrary<ResizeCase> = fc.record({
  source: imageSpecArbitrary,
  target: fc.record({ form: fc.constantFrom('absolute' as const, 'relative' as const), delta: deltaArbitrary }),
  // Mostly given, so shrinks get past the flag to the shrinking itself.
  shrink: fc.oneof({ arbitrary: fc.constant(false), weight: 1 }, { arbitrary: fc.constant(true), weight: 3 }),
  preallocation: fc.constantFrom(...PREALLOCATIONS),
});

/** The new size in bytes: never below MIN_NEW_SIZE. */
export function newSizeOf(target: ResizeTarget, virtualSize: number): number {
  return Math.max(MIN_NEW_SIZE, virtualSize + target.delta);
}

/** The size argument as typed, once the source's virtual size is known. */
export function sizeArgumentOf(target: ResizeTarget, virtualSize: number): string {
  const end = newSizeOf(target, virtualSize);
  if (target.form === 'absolute') return String(end);
  const change = end - virtualSize;
  return change < 0 ? `-${-change}` : `+${change}`;
}

/** qemu-img cannot resize these (both 7.2 and 10.0: "Image format driver does not support resize"); instar grows them. */
export const FORMATS_QEMU_CANNOT_RESIZE: readonly ImageFormat[] = ['vmdk', 'vpc', 'vhdx'];
