/**
 * A dirty bitmap's set bits as byte ranges: sorted, merged, each [start,
 * end) a whole number of granules (the last clipped to the image's size).
 * The life-cycle model keeps them; qemu-img map over qemu-nbd shows them.
 */
export type DirtyRanges = ReadonlyArray<readonly [start: number, end: number]>;

export function mergeRanges(ranges: DirtyRanges): DirtyRanges {
  const sorted = [...ranges].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** The granules a byte range touches, widened to whole granules and clipped to `size`. */
export function granulesOf(offset: number, length: number, granularity: number, size: number): readonly [number, number] {
  return [Math.floor(offset / granularity) * granularity, Math.min(size, Math.ceil((offset + length) / granularity) * granularity)];
}

/** `ranges` plus the granules of every range in `more`, at `granularity`. */
export function markDirty(ranges: DirtyRanges, more: DirtyRanges, granularity: number, size: number): DirtyRanges {
  return mergeRanges([...ranges, ...more.map(([s, e]) => granulesOf(s, e - s, granularity, size))]);
}

export function describeRanges(ranges: DirtyRanges): string {
  return ranges.length === 0 ? '(clean)' : ranges.map(([s, e]) => `${s}-${e}`).join(', ');
}
