/**
 * A source image described as data, so fast-check can generate and shrink
 * it and a report can print it. Every spec is re-creatable with qemu-img and
 * qemu-io alone (see recipe.ts).
 */

export type ImageFormat = 'raw' | 'qcow2' | 'vmdk' | 'vpc' | 'vhdx';

export const IMAGE_FORMATS: readonly ImageFormat[] = ['raw', 'qcow2', 'vmdk', 'vpc', 'vhdx'];

export type ImageLayout =
  | { readonly format: 'raw' }
  | {
      readonly format: 'qcow2';
      readonly clusterSize: number;
      readonly extendedL2: boolean;
      readonly lazyRefcounts: boolean;
    }
  | { readonly format: 'vmdk'; readonly subformat: 'monolithicSparse' | 'streamOptimized' }
  | { readonly format: 'vpc'; readonly subformat: 'dynamic' | 'fixed' }
  | { readonly format: 'vhdx'; readonly blockSize: number };

/**
 * A run of bytes written at a byte offset. `fill` is the byte repeated over
 * the run; 0 gives a zero-but-allocated extent (written as data, not as a
 * hole). Later extents overwrite earlier ones where they overlap.
 */
export interface Extent {
  readonly offset: number;
  readonly length: number;
  readonly fill: number;
}

export interface ImageSpec {
  readonly layout: ImageLayout;
  /** The size asked of `qemu-img create`; the format may round it up. */
  readonly size: number;
  readonly extents: readonly Extent[];
}

/** Stable text key: equal specs give equal keys (used for memoising). */
export function specKey(spec: ImageSpec): string {
  return JSON.stringify(spec);
}

/** The `-o` options that create this layout, in a fixed order. */
export function layoutOptions(layout: ImageLayout): Array<[string, string]> {
  switch (layout.format) {
    case 'raw':
      return [];
    case 'qcow2':
      return [
        ['cluster_size', String(layout.clusterSize)],
        ...(layout.extendedL2 ? ([['extended_l2', 'on']] as Array<[string, string]>) : []),
        ...(layout.lazyRefcounts ? ([['lazy_refcounts', 'on']] as Array<[string, string]>) : []),
      ];
    case 'vmdk':
      return [['subformat', layout.subformat]];
    case 'vpc':
      return [['subformat', layout.subformat]];
    case 'vhdx':
      return [['block_size', String(layout.blockSize)]];
  }
}

/** "qcow2 (cluster_size=512, extended_l2=on)", for reports. */
export function describeLayout(layout: ImageLayout): string {
  const options = layoutOptions(layout);
  if (options.length === 0) return layout.format;
  return `${layout.format} (${options.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

export function describeSpec(spec: ImageSpec): string {
  const extents =
    spec.extents.length === 0
      ? 'no data'
      : spec.extents
          .map((e) => `${e.length} byte(s) of 0x${e.fill.toString(16).padStart(2, '0')} at ${e.offset}`)
          .join('; ');
  return `${describeLayout(spec.layout)}, size ${spec.size} bytes, ${extents}`;
}
