import { describe, expect, test } from 'vitest';
import { resolveMapWindow, snapOutward, windowRange } from '../arbitraries/map-case.ts';
import { instarArgs } from '../drivers/instar-dialect.ts';
import { qemuImgArgs } from '../drivers/qemu-img-dialect.ts';
import type { MapRequest } from '../drivers/requests.ts';
import { diffRuns, mapStateKey, mapTransitionKeys, parseMapHuman, parseMapJson, type MapState } from '../oracles/map-output.ts';
import { specViolations, writtenRanges } from '../oracles/map-spec.ts';

const extent = (start: number, length: number, present: boolean, zero: boolean, data: boolean): string =>
  `{ "start": ${start}, "length": ${length}, "depth": 0, "present": ${present}, "zero": ${zero}, "data": ${data}}`;
const runsOf = (text: string) => {
  const parsed = parseMapJson(text);
  if (parsed.kind !== 'parsed') throw new Error(parsed.reason);
  return parsed.runs;
};

describe('map requests in both dialects', () => {
  const request: MapRequest = { op: 'map', file: 'a.qcow2', format: 'qcow2', startOffset: 1001, maxLength: 0, output: 'json' };
  test('qemu-img: -f, the window as separate tokens, --output=json', () => {
    expect(qemuImgArgs(request)).toEqual(['map', '-f', 'qcow2', '--start-offset', '1001', '--max-length', '0', '--output=json', 'a.qcow2']);
    expect(qemuImgArgs({ ...request, startOffset: undefined, maxLength: undefined, output: 'human' })).toEqual(['map', '-f', 'qcow2', 'a.qcow2']);
  });
  test('instar (instar-ops.md section 2): no -f, the same window tokens, --output json as two words', () => {
    expect(instarArgs(request)).toEqual(['map', '--start-offset', '1001', '--max-length', '0', '--output', 'json', 'a.qcow2']);
    expect(instarArgs({ ...request, startOffset: undefined, output: 'human' })).toEqual(['map', '--max-length', '0', 'a.qcow2']);
  });
});

describe('maps as functions of the offset', () => {
  test('the same map split differently gives the same runs; zero-length extents are nothing', () => {
    const whole = `[${extent(0, 4096, true, false, true)},\n${extent(4096, 4096, true, true, false)}]`;
    const split = `[${extent(0, 1000, true, false, true)},${extent(1000, 3096, true, false, true)},${extent(4096, 4096, true, true, false)},${extent(8192, 0, false, false, false)}]`;
    expect(runsOf(split)).toEqual(runsOf(whole));
    expect(diffRuns(runsOf(whole), runsOf(split), mapStateKey)).toEqual([]);
    expect(runsOf(`[${extent(70, 0, false, false, false)}]`)).toEqual([]);
  });

  test('a misclassified byte range and an uncovered one are found, with what each side says', () => {
    const reference = runsOf(`[${extent(0, 4096, true, false, true)},${extent(4096, 4096, true, true, false)}]`);
    const candidate = runsOf(`[${extent(0, 4000, true, false, true)},${extent(4000, 3000, true, true, false)}]`);
    const d = diffRuns<MapState>(reference, candidate, mapStateKey).map((r) => [r.start, r.end, mapStateKey(r.reference), mapStateKey(r.candidate)]);
    expect(d).toEqual([
      [4000, 4096, 'present,-zero,data', 'present,zero,-data'],
      [7000, 8192, 'present,zero,-data', 'uncovered'],
    ]);
  });

  test("10.0's compressed flag: compared when printed, left out of the whitelist's keys only when both sides agree on it", () => {
    const withFlag = (compressed: boolean | undefined) =>
      runsOf(`[{ "start": 0, "length": 4096, "depth": 0, "present": true, "zero": false, "data": true${compressed === undefined ? '' : `, "compressed": ${compressed}`}}]`);
    // 10.0 against a candidate that misreports compressed data: a difference at every byte.
    const d = diffRuns<MapState>(withFlag(true), withFlag(false), mapStateKey);
    expect(d.map((r) => [r.start, r.end, mapStateKey(r.reference), mapStateKey(r.candidate)])).toEqual([[0, 4096, 'present,-zero,data,compressed', 'present,-zero,data,-compressed']]);
    // 10.0 against a candidate that prints 7.2's shape: a difference too.
    expect(diffRuns<MapState>(withFlag(false), withFlag(undefined), mapStateKey)).toHaveLength(1);
    expect(diffRuns<MapState>(withFlag(false), withFlag(false), mapStateKey)).toEqual([]);
    const state = (compressed?: boolean): MapState => (compressed === undefined ? { present: true, zero: true, data: false } : { present: true, zero: true, data: false, compressed });
    expect(mapTransitionKeys(state(false), { ...state(false), present: false })).toEqual(['present,zero,-data', '-present,zero,-data']);
    expect(mapTransitionKeys(state(true), state(false))).toEqual(['present,zero,-data,compressed', 'present,zero,-data,-compressed']);
    expect(mapTransitionKeys(state(false), state(undefined))).toEqual(['present,zero,-data,-compressed', 'present,zero,-data']);
    expect(mapTransitionKeys(state(false), undefined)).toEqual(['present,zero,-data', 'uncovered']);
    expect(parseMapJson('[{ "start": 0, "length": 1, "present": true, "zero": false, "data": true, "compressed": 1}]')).toMatchObject({ kind: 'invalid' });
  });

  test('overlapping extents and malformed documents are reported, not guessed', () => {
    expect(parseMapJson(`[${extent(0, 4096, true, false, true)},${extent(4000, 10, true, false, true)}]`)).toMatchObject({ kind: 'invalid', reason: 'extents overlap at offset 4000' });
    expect(parseMapJson('{}')).toMatchObject({ kind: 'invalid' });
    expect(parseMapJson('[{ "start": 0, "length": 1, "present": "yes", "zero": false, "data": true}]')).toMatchObject({ kind: 'invalid' });
  });

  test('human output: hex lines become runs of host delta; contiguous lines merge', () => {
    const text = 'Offset          Length          Mapped to       File\n0               0x1000          0x50000         a.qcow2\n0x1000          0x1000          0x51000         a.qcow2\n';
    const parsed = parseMapHuman(text);
    expect(parsed).toEqual({ kind: 'parsed', extents: 2, runs: [{ start: 0, end: 8192, state: { delta: 0x50000, file: 'a.qcow2' } }] });
    expect(parseMapHuman('Offset Length\n')).toMatchObject({ kind: 'invalid' });
  });
});

describe('windows', () => {
  test('qemu-img clips to the byte; a start at or past the end covers nothing', () => {
    expect(windowRange({ startOffset: 1001, maxLength: 70_000 }, 5_000_192)).toEqual([1001, 71_001]);
    expect(windowRange({ startOffset: 4_999_999, maxLength: 100_000 }, 5_000_192)).toEqual([4_999_999, 5_000_192]);
    expect(windowRange({ startOffset: 6_000_000, maxLength: undefined }, 5_000_192)).toEqual([6_000_000, 6_000_000]);
    expect(windowRange({ startOffset: undefined, maxLength: 0 }, 512)).toEqual([0, 0]);
  });
  test('shares resolve against the virtual size, aligned ones floored to 64 KiB', () => {
    const source = { layout: { format: 'raw' as const }, size: 1, extents: [] };
    expect(resolveMapWindow({ source, start: { kind: 'share', permille: 500, aligned: true }, length: { kind: 'bytes', n: 3 } }, 1_000_000)).toEqual({ startOffset: 458_752, maxLength: 3 });
    expect(resolveMapWindow({ source, start: { kind: 'share', permille: 500, aligned: false }, length: { kind: 'absent' } }, 1_000_000)).toEqual({ startOffset: 500_000, maxLength: undefined });
  });
  test('widening to whole units stops at the virtual size', () => {
    expect(snapOutward([1001, 71_001], 65_536, 5_000_192)).toEqual([0, 131_072]);
    expect(snapOutward([4_999_999, 5_000_192], 65_536, 5_000_192)).toEqual([4_980_736, 5_000_192]);
    expect(snapOutward([7, 7], 65_536, 5_000_192)).toEqual([7, 7]);
  });
});

describe('the image spec as an oracle', () => {
  const qcow2 = { format: 'qcow2' as const, clusterSize: 65536, extendedL2: false, lazyRefcounts: false };
  const spec = { layout: qcow2, size: 131_072, extents: [{ offset: 100, length: 50, fill: 0 }, { offset: 120, length: 10, fill: 7 }] };

  test('written bytes, zero fills included, must be data; in a streamOptimized vmdk only the non-zero ones', () => {
    expect(writtenRanges(spec, 131_072).map((r) => [r.start, r.end])).toEqual([[100, 120], [120, 130], [130, 150]]);
    const streamed = { ...spec, layout: { format: 'vmdk' as const, subformat: 'streamOptimized' as const } };
    expect(writtenRanges(streamed, 131_072).map((r) => [r.start, r.end])).toEqual([[120, 130]]);
  });

  test('a map that calls written bytes unallocated, or non-zero bytes zero or absent, breaks the claims', () => {
    const good = runsOf(`[${extent(0, 65536, true, false, true)},${extent(65536, 65536, false, true, false)}]`);
    expect(specViolations(spec, 131_072, good)).toEqual([]);
    const hole = runsOf(`[${extent(0, 131072, false, true, false)}]`);
    expect(specViolations(spec, 131_072, hole).map((v) => v.rule).sort()).toEqual(['absent-over-data', 'written-not-data', 'written-not-data', 'written-not-data', 'zero-over-data']);
    // A lower bound: data where nothing was written is no violation.
    expect(specViolations({ ...spec, extents: [] }, 131_072, good)).toEqual([]);
  });
});
