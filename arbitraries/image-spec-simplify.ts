import type { Extent, ImageLayout, ImageSpec } from '../images/image-spec.ts';
import { IMAGE_SIZE_BAND_MINIMA } from './image-spec.ts';
import { dropEach, type Complexity, type Simplification } from './simplification.ts';

const MiB = 1024 * 1024;

/**
 * qemu-img's own choices where a layout leaves one out: 64 KiB clusters,
 * no extended L2 or lazy refcounts, monolithicSparse, dynamic VHD, and
 * vhdx's automatic block size, which is 8 MiB for every size drawn here.
 */
const DEFAULT_CLUSTER_SIZE = 64 * 1024;
const DEFAULT_VHDX_BLOCK_SIZE = 8 * MiB;

/** What a case type needs to keep in its source. */
export interface SourceConstraints {
  /** Never offer "format → raw" (check's corrupted sources must stay qcow2). */
  readonly keepFormat?: boolean;
  /** Never drop below this many extents (faults need a data cluster). */
  readonly minExtents?: number;
}

function simplerLayouts(layout: ImageLayout, keepFormat: boolean): Simplification<ImageLayout>[] {
  const moves: Simplification<ImageLayout>[] = [];
  if (!keepFormat && layout.format !== 'raw') moves.push({ move: `format ${layout.format} → raw`, value: { format: 'raw' } });
  switch (layout.format) {
    case 'raw':
      break;
    case 'qcow2':
      if (layout.clusterSize !== DEFAULT_CLUSTER_SIZE) {
        // 64 KiB clusters allow extended L2 too, so the layout stays valid.
        moves.push({ move: `cluster_size ${layout.clusterSize} → ${DEFAULT_CLUSTER_SIZE}`, value: { ...layout, clusterSize: DEFAULT_CLUSTER_SIZE } });
      }
      if (layout.extendedL2) moves.push({ move: 'extended_l2 on → off', value: { ...layout, extendedL2: false } });
      if (layout.lazyRefcounts) moves.push({ move: 'lazy_refcounts on → off', value: { ...layout, lazyRefcounts: false } });
      break;
    case 'vmdk':
      if (layout.subformat !== 'monolithicSparse') {
        moves.push({ move: `subformat ${layout.subformat} → monolithicSparse`, value: { ...layout, subformat: 'monolithicSparse' } });
      }
      break;
    case 'vpc':
      if (layout.subformat !== 'dynamic') moves.push({ move: `subformat ${layout.subformat} → dynamic`, value: { ...layout, subformat: 'dynamic' } });
      break;
    case 'vhdx':
      if (layout.blockSize !== DEFAULT_VHDX_BLOCK_SIZE) {
        moves.push({ move: `block_size ${layout.blockSize} → ${DEFAULT_VHDX_BLOCK_SIZE}`, value: { ...layout, blockSize: DEFAULT_VHDX_BLOCK_SIZE } });
      }
      break;
  }
  return moves;
}

/** Layout fields away from qemu-img's default (see DEFAULT_*). */
function nonDefaultLayoutFields(layout: ImageLayout): number {
  switch (layout.format) {
    case 'raw':
      return 0;
    case 'qcow2':
      return Number(layout.clusterSize !== DEFAULT_CLUSTER_SIZE) + Number(layout.extendedL2) + Number(layout.lazyRefcounts);
    case 'vmdk':
      return Number(layout.subformat !== 'monolithicSparse');
    case 'vpc':
      return Number(layout.subformat !== 'dynamic');
    case 'vhdx':
      return Number(layout.blockSize !== DEFAULT_VHDX_BLOCK_SIZE);
  }
}

/** Extents kept inside a smaller image the way the arbitrary places them. */
export function clipExtents(extents: readonly Extent[], size: number): Extent[] {
  return extents.map((e) => {
    const length = Math.min(e.length, size);
    return { offset: Math.min(e.offset, size - length), length, fill: e.fill };
  });
}

/** The source with a smaller size, its extents clipped to fit. */
export function withSize(spec: ImageSpec, size: number): ImageSpec {
  return { layout: spec.layout, size, extents: clipExtents(spec.extents, size) };
}

/**
 * Simpler sources: the smallest size of every lower size band, one extent
 * fewer, the format toward raw, a layout option toward its default.
 */
export function simplifyImageSpec(spec: ImageSpec, constraints: SourceConstraints = {}): Simplification<ImageSpec>[] {
  const moves: Simplification<ImageSpec>[] = [];
  for (const minimum of new Set(IMAGE_SIZE_BAND_MINIMA)) {
    if (minimum < spec.size) moves.push({ move: `size ${spec.size} → ${minimum} (smallest of its band)`, value: withSize(spec, minimum) });
  }
  if (spec.extents.length > (constraints.minExtents ?? 0)) {
    for (const { index, rest } of dropEach(spec.extents)) moves.push({ move: `drop extent ${index}`, value: { ...spec, extents: rest } });
  }
  for (const { move, value } of simplerLayouts(spec.layout, constraints.keepFormat ?? false)) {
    moves.push({ move, value: { ...spec, layout: value } });
  }
  return moves;
}

export const IMAGE_SPEC_COMPLEXITY_LENGTH = 6;

/** [format (raw 0), layout options off their default, size, extents, their total length, their total offset]. */
export function imageSpecComplexity(spec: ImageSpec): Complexity {
  return [
    spec.layout.format === 'raw' ? 0 : 1,
    nonDefaultLayoutFields(spec.layout),
    spec.size,
    spec.extents.length,
    spec.extents.reduce((sum, e) => sum + e.length, 0),
    spec.extents.reduce((sum, e) => sum + e.offset, 0),
  ];
}
