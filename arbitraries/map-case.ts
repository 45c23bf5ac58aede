import fc from 'fast-check';
import type { ImageLayout, ImageSpec } from '../images/image-spec.ts';
import { imageSpecArbitrary } from './image-spec.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * A `--start-offset` or `--max-length` before the image is known: absent, a
 * small byte count (unaligned, and across the first 64 KiB boundary), or a
 * share of the virtual size up to past its end, optionally floored to
 * 64 KiB (the windows the peer fuzzer limits itself to).
 */
export type WindowBound =
  | { readonly kind: 'absent' }
  | { readonly kind: 'bytes'; readonly n: number }
  | { readonly kind: 'share'; readonly permille: number; readonly aligned: boolean };

/** `map` on one source image, over an optional window; both output modes are compared. */
export interface MapCase {
  readonly source: ImageSpec;
  readonly start: WindowBound;
  readonly length: WindowBound;
}

/** The window as numbers, once the virtual size is known. */
export interface MapWindow {
  readonly startOffset: number | undefined;
  readonly maxLength: number | undefined;
}

export const WINDOW_ALIGNMENT = 64 * KiB;

const boundArbitrary: fc.Arbitrary<WindowBound> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant<WindowBound>({ kind: 'absent' }), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 70_000 }).map((n): WindowBound => ({ kind: 'bytes', n })), weight: 1 },
  {
    arbitrary: fc.record({ permille: fc.integer({ min: 0, max: 1100 }), aligned: fc.boolean() }).map((s): WindowBound => ({ kind: 'share', ...s })),
    weight: 3,
  },
);

export const mapCaseArbitrary: fc.Arbitrary<MapCase> = fc.record({ source: imageSpecArbitrary, start: boundArbitrary, length: boundArbitrary });

function resolveBound(bound: WindowBound, virtualSize: number): number | undefined {
  switch (bound.kind) {
    case 'absent':
      return undefined;
    case 'bytes':
      return bound.n;
    case 'share': {
      const bytes = Math.floor((bound.permille * virtualSize) / 1000);
      return bound.aligned ? bytes - (bytes % WINDOW_ALIGNMENT) : bytes;
    }
  }
}

export function resolveMapWindow(mapCase: MapCase, virtualSize: number): MapWindow {
  return { startOffset: resolveBound(mapCase.start, virtualSize), maxLength: resolveBound(mapCase.length, virtualSize) };
}

/**
 * The bytes a window covers: [start, min(start + length, size)), empty when
 * the start is at or past the end. qemu-img 7.2.22 and 10.0.2 clip to the
 * byte (an unaligned window gives unaligned first and last extents) and, for
 * an empty window, print one zero-length extent.
 */
export function windowRange(window: MapWindow, virtualSize: number): readonly [number, number] {
  const start = window.startOffset ?? 0;
  const end = window.maxLength === undefined ? virtualSize : Math.min(start + window.maxLength, virtualSize);
  return start >= virtualSize || end <= start ? [start, start] : [start, end];
}

/**
 * The unit a format allocates in: qcow2 clusters, vmdk grains (64 KiB for
 * the subformats drawn here), dynamic VHD blocks (2 MiB) and vhdx blocks;
 * raw and fixed VHD map sector by sector.
 */
export function allocationUnit(layout: ImageLayout): number {
  switch (layout.format) {
    case 'raw':
      return 512;
    case 'qcow2':
      return layout.clusterSize;
    case 'vmdk':
      return 64 * KiB;
    case 'vpc':
      return layout.subformat === 'dynamic' ? 2 * MiB : 512;
    case 'vhdx':
      return layout.blockSize;
  }
}

/** A range widened to whole allocation units, never past the virtual size. */
export function snapOutward(range: readonly [number, number], unit: number, virtualSize: number): readonly [number, number] {
  const [start, end] = range;
  if (end <= start) return range;
  return [start - (start % unit), Math.min(Math.ceil(end / unit) * unit, virtualSize)];
}
