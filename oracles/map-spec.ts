import type { ImageSpec } from '../images/image-spec.ts';
import { mapStateKey, type MapState, type Run } from './map-output.ts';

/**
 * What an image spec lets us claim about a correct map, without trusting
 * either tool. Allocation is per cluster, grain or block, so a map may show
 * more data than was written, never less: the spec's ranges are a lower
 * bound on data. The claims:
 *
 * - written: every byte a recipe wrote must be `present` and `data`. The
 *   recipe writes each extent with qemu-io (a zero fill is written as data,
 *   no zero detection), so this holds for every in-place format; raw relies
 *   on the file system keeping written blocks out of SEEK_HOLE. A
 *   streamOptimized vmdk is converted from raw, and convert leaves all-zero
 *   stretches unwritten, so there only the non-zero bytes are claimed.
 * - zero: a byte reported `zero` must read as zero.
 * - absent: a byte reported not `present` must read as zero (no backing file).
 */

export type SpecRule = 'written-not-data' | 'zero-over-data' | 'absent-over-data';

export interface SpecViolation {
  readonly rule: SpecRule;
  readonly start: number;
  readonly end: number;
  readonly state: string;
}

/** The final content as runs of one fill byte (later extents win), within the virtual size. */
export function contentRuns(spec: ImageSpec, virtualSize: number): Run<number>[] {
  const cuts = [...new Set([0, virtualSize, ...spec.extents.flatMap((e) => [e.offset, e.offset + e.length])])]
    .filter((c) => c >= 0 && c <= virtualSize)
    .sort((a, b) => a - b);
  const runs: Run<number>[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i]!, cuts[i + 1]!];
    const last = [...spec.extents].reverse().find((e) => e.offset <= start && start < e.offset + e.length);
    runs.push({ start, end, state: last?.fill ?? 0 });
  }
  return runs;
}

/** The bytes the spec's recipe stored as data (see the module comment). */
export function writtenRanges(spec: ImageSpec, virtualSize: number): Run<true>[] {
  const streamed = spec.layout.format === 'vmdk' && spec.layout.subformat === 'streamOptimized';
  const written = streamed
    ? contentRuns(spec, virtualSize).filter((r) => r.state !== 0)
    : contentRuns(spec, virtualSize).filter((r) => spec.extents.some((e) => e.offset <= r.start && r.start < e.offset + e.length));
  return written.map((r) => ({ start: r.start, end: r.end, state: true }));
}

/** Intersections of two run lists, with both states. */
function overlaps<A, B>(a: readonly Run<A>[], b: readonly Run<B>[]): Array<{ start: number; end: number; a: A; b: B }> {
  const out: Array<{ start: number; end: number; a: A; b: B }> = [];
  for (const x of a) {
    for (const y of b) {
      const start = Math.max(x.start, y.start);
      const end = Math.min(x.end, y.end);
      if (start < end) out.push({ start, end, a: x.state, b: y.state });
    }
  }
  return out;
}

/** Every claim a map's covered bytes break; [] when it is consistent with the spec. */
export function specViolations(spec: ImageSpec, virtualSize: number, runs: readonly Run<MapState>[]): SpecViolation[] {
  const violations: SpecViolation[] = [];
  for (const o of overlaps(runs, writtenRanges(spec, virtualSize))) {
    if (!(o.a.present && o.a.data)) violations.push({ rule: 'written-not-data', start: o.start, end: o.end, state: mapStateKey(o.a) });
  }
  for (const o of overlaps(runs, contentRuns(spec, virtualSize))) {
    if (o.b === 0) continue;
    if (o.a.zero) violations.push({ rule: 'zero-over-data', start: o.start, end: o.end, state: mapStateKey(o.a) });
    if (!o.a.present) violations.push({ rule: 'absent-over-data', start: o.start, end: o.end, state: mapStateKey(o.a) });
  }
  return violations.sort((x, y) => x.start - y.start);
}

export function describeViolation(v: SpecViolation): string {
  const claim: Record<SpecRule, string> = {
    'written-not-data': 'written by the recipe, so it must be present and data',
    'zero-over-data': 'reported zero, but the spec puts non-zero bytes there',
    'absent-over-data': 'reported not present, but the spec puts non-zero bytes there',
  };
  return `bytes [${v.start}, ${v.end}) are ${v.state}: ${claim[v.rule]}`;
}
