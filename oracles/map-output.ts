import { parseExactJson } from './exact-json.ts';
import type { JsonValue } from './divergence.ts';

/**
 * `map` output read as a function of the guest offset. Two correct tools may
 * split the same map into different extents (block-status granularity,
 * merging), so an output is reduced to maximal runs of equal state over the
 * bytes it covers: equal functions give equal runs, whatever the split.
 */

/** A half-open byte range [start, end) with one state throughout. */
export interface Run<S> {
  readonly start: number;
  readonly end: number;
  readonly state: S;
}

/** What `--output=json` says of a byte. */
export interface MapState {
  readonly present: boolean;
  readonly zero: boolean;
  readonly data: boolean;
  /** Printed by qemu-img 8.x and later (10.0 here), not by 7.2; compared whenever either side prints it. */
  readonly compressed?: boolean;
}

/** What the human output says of a byte: mapped, at this host offset minus guest offset, in this file. */
export interface HumanState {
  readonly delta: number;
  readonly file: string;
}

export type Parsed<S> =
  | { readonly kind: 'parsed'; readonly runs: readonly Run<S>[]; readonly extents: number }
  | { readonly kind: 'invalid'; readonly reason: string };

export function mapStateKey(s: MapState | undefined): string {
  if (s === undefined) return 'uncovered';
  const compressed = s.compressed === undefined ? [] : [s.compressed ? 'compressed' : '-compressed'];
  return [s.present ? 'present' : '-present', s.zero ? 'zero' : '-zero', s.data ? 'data' : '-data', ...compressed].join(',');
}

/**
 * The two keys of a differing range as the whitelist reads them: when both
 * sides print the same `compressed`, or one side does not cover the range
 * at all, it is left out, so an entry written for present/zero/data reads
 * the same against 7.2 and 10.0; when the sides disagree on it (or only one
 * prints it), it stays, and no entry matches.
 */
export function mapTransitionKeys(reference: MapState | undefined, candidate: MapState | undefined): readonly [string, string] {
  const same = reference === undefined || candidate === undefined || reference.compressed === candidate.compressed;
  const base = (s: MapState | undefined): MapState | undefined => (s === undefined || !same ? s : { present: s.present, zero: s.zero, data: s.data });
  return [mapStateKey(base(reference)), mapStateKey(base(candidate))];
}

export function humanStateKey(s: HumanState | undefined): string {
  return s === undefined ? 'unmapped' : `mapped at +${s.delta} in ${s.file}`;
}

/**
 * Sorted runs, zero-length ones dropped and neighbours with the same state
 * merged. Overlapping runs make no function: that is reported, not guessed.
 */
export function canonicalRuns<S>(runs: readonly Run<S>[], key: (s: S) => string): Run<S>[] | string {
  const sorted = runs.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: Run<S>[] = [];
  for (const run of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && run.start < last.end) return `extents overlap at offset ${run.start}`;
    if (last !== undefined && last.end === run.start && key(last.state) === key(run.state)) {
      out[out.length - 1] = { start: last.start, end: run.end, state: last.state };
    } else {
      out.push(run);
    }
  }
  return out;
}

function field(record: Readonly<Record<string, JsonValue>>, name: string, type: 'integer' | 'boolean'): number | boolean | string {
  const value = record[name];
  if (type === 'boolean') return typeof value === 'boolean' ? value : `"${name}" is not a boolean`;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : `"${name}" is not a non-negative integer`;
}

const mapKey = (s: MapState): string => mapStateKey(s);

/** `map --output=json`: a list of {start, length, present, zero, data, [compressed], …}; other keys (offset, depth) are not judged. */
export function parseMapJson(text: string): Parsed<MapState> {
  let document: JsonValue;
  try {
    document = parseExactJson(text);
  } catch (error) {
    return { kind: 'invalid', reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!Array.isArray(document)) return { kind: 'invalid', reason: 'not a JSON list' };
  const runs: Run<MapState>[] = [];
  for (const [index, item] of (document as readonly JsonValue[]).entries()) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return { kind: 'invalid', reason: `extent ${index} is not an object` };
    const record = item as Readonly<Record<string, JsonValue>>;
    const values = [field(record, 'start', 'integer'), field(record, 'length', 'integer'), field(record, 'present', 'boolean'), field(record, 'zero', 'boolean'), field(record, 'data', 'boolean')];
    const problem = values.find((v) => typeof v === 'string');
    if (typeof problem === 'string') return { kind: 'invalid', reason: `extent ${index}: ${problem}` };
    const [start, length, present, zero, data] = values as [number, number, boolean, boolean, boolean];
    const compressed = record['compressed'];
    if (compressed !== undefined && typeof compressed !== 'boolean') return { kind: 'invalid', reason: `extent ${index}: "compressed" is not a boolean` };
    runs.push({ start, end: start + length, state: compressed === undefined ? { present, zero, data } : { present, zero, data, compressed } });
  }
  const canonical = canonicalRuns(runs, mapKey);
  return typeof canonical === 'string' ? { kind: 'invalid', reason: canonical } : { kind: 'parsed', runs: canonical, extents: runs.length };
}

const HUMAN_HEADER = /^Offset\s+Length\s+Mapped to\s+File\s*$/;
const HUMAN_LINE = /^(0x[0-9a-f]+|0)\s+(0x[0-9a-f]+|0)\s+(0x[0-9a-f]+|0)\s+(.+?)\s*$/i;

/**
 * `map` human output: a header, then "offset length mapped-to file" lines
 * in hex for the bytes with data. Contiguous lines with the same host delta
 * and file are one run, as qemu-img itself would have merged them.
 */
export function parseMapHuman(text: string): Parsed<HumanState> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || !HUMAN_HEADER.test(lines[0]!)) return { kind: 'invalid', reason: 'no "Offset Length Mapped to File" header' };
  const runs: Run<HumanState>[] = [];
  for (const line of lines.slice(1)) {
    const m = HUMAN_LINE.exec(line);
    if (m === null) return { kind: 'invalid', reason: `unreadable line: ${line}` };
    const [offset, length, mapped] = [Number(m[1]), Number(m[2]), Number(m[3])];
    runs.push({ start: offset, end: offset + length, state: { delta: mapped - offset, file: m[4]! } });
  }
  const canonical = canonicalRuns(runs, humanStateKey);
  return typeof canonical === 'string' ? { kind: 'invalid', reason: canonical } : { kind: 'parsed', runs: canonical, extents: runs.length };
}

/** A range where two functions differ, and what each says there (undefined: not covered). */
export interface RunDifference<S> {
  readonly start: number;
  readonly end: number;
  readonly reference: S | undefined;
  readonly candidate: S | undefined;
}

function stateAt<S>(runs: readonly Run<S>[], offset: number): S | undefined {
  return runs.find((r) => r.start <= offset && offset < r.end)?.state;
}

/** Every maximal range where the two functions differ, in order. */
export function diffRuns<S>(reference: readonly Run<S>[], candidate: readonly Run<S>[], key: (s: S | undefined) => string): RunDifference<S>[] {
  const cuts = [...new Set([...reference, ...candidate].flatMap((r) => [r.start, r.end]))].sort((a, b) => a - b);
  const out: RunDifference<S>[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i]!, cuts[i + 1]!];
    const [r, c] = [stateAt(reference, start), stateAt(candidate, start)];
    if (key(r) === key(c)) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.end === start && key(last.reference) === key(r) && key(last.candidate) === key(c)) {
      out[out.length - 1] = { ...last, end };
    } else {
      out.push({ start, end, reference: r, candidate: c });
    }
  }
  return out;
}

/** [first start, last end) of the covered bytes, or undefined when none are covered. */
export function coveredSpan<S>(runs: readonly Run<S>[]): readonly [number, number] | undefined {
  const first = runs[0];
  const last = runs[runs.length - 1];
  return first === undefined || last === undefined ? undefined : [first.start, last.end];
}

/** True when the runs cover [start, end) without a gap (an empty range needs no runs). */
export function coversExactly<S>(runs: readonly Run<S>[], start: number, end: number): boolean {
  if (end <= start) return runs.length === 0;
  let at = start;
  for (const run of runs) {
    if (run.start !== at) return false;
    at = run.end;
  }
  return at === end;
}
