import type { ImageSpec } from '../images/image-spec.ts';

const MiB = 1024 * 1024;

/** Coverage classes of a source image: layout, size band, and where its data lies. */
export function imageSpecClasses(spec: ImageSpec): string[] {
  const { layout } = spec;
  const classes = [
    layout.format === 'vmdk' || layout.format === 'vpc' ? `layout=${layout.format}/${layout.subformat}` : `layout=${layout.format}`,
  ];
  if (layout.format === 'qcow2' && layout.clusterSize < 65536) classes.push('qcow2-small-cluster');
  if (spec.size > 32 * MiB) classes.push('size>32MiB');
  if (spec.size % 512 !== 0) classes.push('size-unaligned');
  if (spec.extents.length === 0) classes.push('no-data');
  if (spec.extents.some((e) => e.offset + e.length === spec.size)) classes.push('extent-at-end');
  if (spec.extents.some((e) => e.fill === 0)) classes.push('zero-extent');
  return classes;
}
