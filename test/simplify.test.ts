import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkCaseArbitrary, type CheckCase } from '../arbitraries/check-case.ts';
import { checkCaseComplexity, simplifyCheckCase } from '../arbitraries/check-case-simplify.ts';
import { convertCaseArbitrary, type ConvertCase } from '../arbitraries/convert-case.ts';
import { convertCaseComplexity, simplifyConvertCase } from '../arbitraries/convert-case-simplify.ts';
import {
  BAD_VALUES,
  createCaseArbitrary,
  optionValue,
  sizeLimit,
  UNKNOWN_OPTION_KEYS,
  writesRealBlocks,
  type CreateCase,
} from '../arbitraries/create-case.ts';
import { createCaseComplexity, simplifyCreateCase } from '../arbitraries/create-case-simplify.ts';
import { ALLOCATING_SIZE_CAP, BAD_SUFFIXES, OVERFLOWING_SIZES } from '../arbitraries/create-size.ts';
import { ddCaseArbitrary, MAX_BLOCKS_COPIED, resolveDdWindow, type DdCase } from '../arbitraries/dd-case.ts';
import { ddCaseComplexity, simplifyDdCase } from '../arbitraries/dd-case-simplify.ts';
import { imageSpecArbitrary } from '../arbitraries/image-spec.ts';
import { mapCaseArbitrary } from '../arbitraries/map-case.ts';
import { mapCaseComplexity, simplifyMapCase } from '../arbitraries/map-case-simplify.ts';
import { resizeCaseArbitrary } from '../arbitraries/resize-case.ts';
import { benchOpCaseArbitrary } from '../arbitraries/bench-op-case.ts';
import { lifecycleCaseArbitrary } from '../arbitraries/lifecycle-case.ts';
import { lifecycleCaseComplexity, simplifyLifecycleCase } from '../arbitraries/lifecycle-case-simplify.ts';
import { benchOpCaseComplexity, simplifyBenchOpCase } from '../arbitraries/bench-op-case-simplify.ts';
import { resizeCaseComplexity, simplifyResizeCase } from '../arbitraries/resize-case-simplify.ts';
import { imageSpecComplexity, simplifyImageSpec } from '../arbitraries/image-spec-simplify.ts';
import { INFO_OUTPUT_SETS, infoCaseArbitrary, infoCaseFromJson, withMbr, type InfoCase } from '../arbitraries/info-case.ts';
import { infoCaseComplexity, simplifyInfoCase, splitInfoSource } from '../arbitraries/info-case-simplify.ts';
import { MAX_MEASURE_SIZE, measureCaseArbitrary, type MeasureCase } from '../arbitraries/measure-case.ts';
import { measureCaseComplexity, simplifyMeasureCase } from '../arbitraries/measure-case-simplify.ts';
import { strictlySimpler, type Complexity, type Simplifier } from '../arbitraries/simplification.ts';
import { repairCaseArbitrary } from '../arbitraries/repair-case.ts';
import { amendCaseArbitrary } from '../arbitraries/amend-case.ts';
import { amendCaseComplexity, simplifyAmendCase } from '../arbitraries/amend-case-simplify.ts';
import { repairCaseComplexity, simplifyRepairCase } from '../arbitraries/repair-case-simplify.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import { predictedVirtualSize } from '../images/virtual-size.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const RUNS = 300;
const SEED = 8;

// ---------------------------------------------------------------------------
// Invariants of each arbitrary's values, stated independently of the
// simplifiers: each returns a problem, or undefined when the value is fine.
// ---------------------------------------------------------------------------

function isInteger(n: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isSafeInteger(n) && n >= min && n <= max;
}

function imageSizeInBand(size: number): boolean {
  return (
    isInteger(size, 1, 64 * KiB) ||
    (size % (32 * KiB) === 0 && isInteger(size / (32 * KiB), 1, 128)) ||
    isInteger(size, 64 * KiB, 4 * MiB) ||
    isInteger(size, 32 * MiB + 1, 72 * MiB)
  );
}

function imageSpecProblem(spec: ImageSpec): string | undefined {
  if (!imageSizeInBand(spec.size)) return `size ${spec.size} is in no band`;
  const { layout } = spec;
  if (layout.format === 'qcow2') {
    if (!isInteger(Math.log2(layout.clusterSize), 9, 21)) return `cluster size ${layout.clusterSize}`;
    if (layout.extendedL2 && layout.clusterSize < 16 * KiB) return 'extended_l2 with clusters under 16 KiB';
  }
  if (layout.format === 'vhdx' && ![1, 8, 32].map((m) => m * MiB).includes(layout.blockSize)) return `vhdx block ${layout.blockSize}`;
  for (const e of spec.extents) {
    if (!isInteger(e.offset, 0) || !isInteger(e.length, 1) || e.offset + e.length > spec.size) return `extent ${JSON.stringify(e)} outside ${spec.size}`;
    if (!isInteger(e.fill, 0, 255)) return `fill ${e.fill}`;
  }
  return undefined;
}

function ddCaseProblem(c: DdCase): string | undefined {
  const window = resolveDdWindow(c, predictedVirtualSize(c.source));
  const blocks = Math.ceil(predictedVirtualSize(c.source) / c.bs);
  const copied = Math.min(window.count ?? blocks, blocks) - (window.skip ?? 0);
  if (copied > MAX_BLOCKS_COPIED) return `${copied} blocks copied`;
  if (!isInteger(c.bs, 1)) return `bs ${c.bs}`;
  return imageSpecProblem(c.source);
}

const CONVERT_KEYS: Record<string, readonly string[]> = {
  raw: [],
  qcow2: ['cluster_size', 'extended_l2', 'lazy_refcounts', 'compat', 'refcount_bits', 'compression_type'],
  vmdk: ['subformat', 'zeroed_grain'],
  vpc: ['subformat', 'force_size'],
  vhdx: ['subformat', 'block_size'],
};

function convertCaseProblem(c: ConvertCase): string | undefined {
  if (c.compress && c.target.format !== 'qcow2' && c.target.format !== 'vmdk') return `-c to ${c.target.format}`;
  const foreign = c.target.options.find(([k]) => !CONVERT_KEYS[c.target.format]!.includes(k));
  if (foreign !== undefined) return `${foreign[0]} on ${c.target.format}`;
  return imageSpecProblem(c.source);
}

function measureCaseProblem(c: MeasureCase): string | undefined {
  if (c.target.format === 'raw' && c.target.options.some(([k]) => k !== 'preallocation')) return 'raw with a non-preallocation option';
  if (c.input.kind === 'size') return /^\d+$/.test(c.input.size) && BigInt(c.input.size) <= MAX_MEASURE_SIZE ? undefined : `--size ${c.input.size}`;
  if (c.input.bitmaps.length > 0 && c.input.source.layout.format !== 'qcow2') return 'bitmaps on a non-qcow2 source';
  return imageSpecProblem(c.input.source);
}

function checkCaseProblem(c: CheckCase): string | undefined {
  if (c.kind === 'corrupt' && c.source.layout.format !== 'qcow2') return 'a fault in a non-qcow2 source';
  if (c.kind === 'corrupt' && c.source.extents.length === 0) return 'a fault in a source without data';
  return imageSpecProblem(c.source);
}

const CREATE_KEYS: Record<string, readonly string[]> = {
  raw: ['preallocation'],
  qcow2: ['cluster_size', 'extended_l2', 'lazy_refcounts', 'refcount_bits', 'compat', 'preallocation', 'compression_type'],
  vmdk: ['subformat', 'compat6', 'hwversion'],
  vpc: ['subformat', 'force_size'],
  vhdx: ['block_size', 'log_size', 'subformat'],
};

const V3_ONLY: ReadonlyArray<readonly [string, (v: string) => boolean]> = [
  ['lazy_refcounts', (v) => v === 'on'],
  ['refcount_bits', (v) => v !== '16'],
  ['compression_type', (v) => v === 'zstd'],
  ['extended_l2', (v) => v === 'on'],
];

function createBytes(c: CreateCase): bigint | null {
  return c.requestedBytes === null ? null : BigInt(c.requestedBytes);
}

function createCaseProblem(c: CreateCase): string | undefined {
  const bytes = createBytes(c);
  const limit = sizeLimit(c.target, c.options);
  if (c.requestedBytes !== null && !/^\d+$/.test(c.requestedBytes)) return `requestedBytes ${c.requestedBytes} is not decimal digits`;
  if (/^\d+$/.test(c.size) && c.requestedBytes !== null && BigInt(c.requestedBytes) !== BigInt(c.size)) return `requestedBytes ${c.requestedBytes} for ${c.size}`;
  const foreign = c.options.find(([k]) => !CREATE_KEYS[c.target]!.includes(k) && !(c.flaw === 'unknown-key' && UNKNOWN_OPTION_KEYS.includes(k)));
  if (foreign !== undefined) return `${foreign[0]} on ${c.target}`;
  const cluster = Number(optionValue(c.options, 'cluster_size') ?? 64 * KiB);
  const v2 = optionValue(c.options, 'compat') === '0.10';
  const v3Feature = c.options.some(([k, v]) => V3_ONLY.some(([key, is]) => key === k && is(v)));
  const withinLimit = bytes !== null && (limit === undefined || bytes <= limit);
  switch (c.flaw) {
    case null:
      if (!withinLimit) return `size ${c.size} past the limit ${limit}`;
      if (c.target === 'raw' && bytes > 201n * BigInt(1024 * MiB)) return `raw of ${c.size}`;
      if (writesRealBlocks(c.target, c.options) && bytes > BigInt(ALLOCATING_SIZE_CAP)) return `allocating ${c.size}`;
      if (c.target === 'qcow2' && optionValue(c.options, 'extended_l2') === 'on' && (cluster < 16 * KiB || v2)) return 'refused extended_l2';
      if (c.target === 'qcow2' && v2 && v3Feature) return 'v3 feature under compat=0.10';
      if (c.target === 'vmdk' && optionValue(c.options, 'compat6') === 'on' && optionValue(c.options, 'hwversion') !== undefined) return 'compat6 with hwversion';
      return undefined;
    case 'unknown-key':
      if (!c.options.some(([k]) => UNKNOWN_OPTION_KEYS.includes(k))) return 'no unknown key';
      return withinLimit ? undefined : `size ${c.size} past the limit`;
    case 'bad-cluster-size':
      return isInteger(Math.log2(cluster), 9, 21) ? `cluster size ${cluster} is fine` : undefined;
    case 'extended-l2-small-clusters':
      return optionValue(c.options, 'extended_l2') === 'on' && cluster < 16 * KiB && !v2 ? undefined : 'not extended_l2 with small clusters';
    case 'size-too-large':
      if (bytes === null) return OVERFLOWING_SIZES.some((s) => s.text === c.size) ? undefined : `${c.size} does not overflow`;
      return limit !== undefined && bytes > limit && bytes <= limit + 4096n ? undefined : `${c.size} not just past ${limit}`;
    case 'bad-size-suffix':
      return bytes === null && BAD_SUFFIXES.some((s) => c.size.endsWith(s)) ? undefined : `${c.size} is a size`;
    case 'compat-0.10-with-v3-feature':
      if (!(v2 && v3Feature)) return 'no v3 feature under compat=0.10';
      return withinLimit ? undefined : `size ${c.size} past the limit`;
    case 'bad-option-value':
      if (!BAD_VALUES[c.target].some(([k, v]) => optionValue(c.options, k) === v)) return 'no bad value';
      return withinLimit ? undefined : `size ${c.size} past the limit`;
  }
}

function infoCaseProblem(c: InfoCase): string | undefined {
  if (!INFO_OUTPUT_SETS.some((set) => JSON.stringify(set) === JSON.stringify(c.outputs))) return `outputs ${JSON.stringify(c.outputs)}`;
  return imageSpecProblem(c.source);
}

// ---------------------------------------------------------------------------
// Every move over the real arbitraries, and chains of moves to the end.
// ---------------------------------------------------------------------------

interface CaseType<T> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  readonly simplify: Simplifier<T>;
  readonly complexity: (value: T) => Complexity;
  readonly problem: (value: T) => string | undefined;
}


/** Where a value holds undefined, which JSON would drop (toEqual would not notice). */
function undefinedPaths(value: unknown, path: string): string[] {
  if (value === undefined) return [path];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => undefinedPaths(v, `${path}.${key}`));
}

function assertMoves<T>(t: CaseType<T>, value: T): void {
  const before = t.complexity(value);
  for (const { move, value: simpler } of t.simplify(value)) {
    expect(move).not.toBe('');
    expect(t.problem(simpler), move).toBeUndefined();
    expect(strictlySimpler(t.complexity(simpler), before), `${move}: ${JSON.stringify(t.complexity(simpler))} vs ${JSON.stringify(before)}`).toBe(true);
    // Corpus files hold JSON: no undefined fields, nothing JSON changes.
    expect(undefinedPaths(simpler, '$'), move).toEqual([]);
    expect(JSON.parse(JSON.stringify(simpler)), move).toEqual(simpler);
  }
}

function describeSimplifier<T>(t: CaseType<T>): void {
  describe(`${t.name} simplifications`, () => {
    test("the arbitrary's own values satisfy the invariants checked here", () => {
      fc.assert(
        fc.property(t.arbitrary, (value) => {
          expect(t.problem(value)).toBeUndefined();
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });

    test('every move is valid, strictly simpler and JSON data', () => {
      fc.assert(
        fc.property(t.arbitrary, (value) => assertMoves(t, value)),
        { numRuns: RUNS, seed: SEED },
      );
    });

    test('any chain of moves stays valid and ends, with no move left', () => {
      fc.assert(
        fc.property(t.arbitrary, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (value, picks) => {
          let current = value;
          for (let step = 0; ; step++) {
            // Each kind of move applies a few times at most (a size falls to a band's
            // minimum, counts and ranks to 0), so every chain is short.
            expect(step).toBeLessThan(200);
            assertMoves(t, current);
            const moves = t.simplify(current);
            if (moves.length === 0) return;
            current = moves[picks[step % picks.length]! % moves.length]!.value;
          }
        }),
        { numRuns: 100, seed: SEED },
      );
    });
  });
}

describeSimplifier({ name: 'image spec', arbitrary: imageSpecArbitrary, simplify: (s) => simplifyImageSpec(s), complexity: imageSpecComplexity, problem: imageSpecProblem });
describeSimplifier({ name: 'dd', arbitrary: ddCaseArbitrary, simplify: simplifyDdCase, complexity: ddCaseComplexity, problem: ddCaseProblem });
describeSimplifier({ name: 'convert', arbitrary: convertCaseArbitrary, simplify: simplifyConvertCase, complexity: convertCaseComplexity, problem: convertCaseProblem });
describeSimplifier({ name: 'create', arbitrary: createCaseArbitrary, simplify: simplifyCreateCase, complexity: createCaseComplexity, problem: createCaseProblem });
// Flawed cases are 1 in 10: these cover every flaw's rules more often.
describeSimplifier({
  name: 'flawed create',
  arbitrary: createCaseArbitrary.filter((c) => c.flaw !== null),
  simplify: simplifyCreateCase,
  complexity: createCaseComplexity,
  problem: createCaseProblem,
});
describeSimplifier({ name: 'info', arbitrary: infoCaseArbitrary, simplify: simplifyInfoCase, complexity: infoCaseComplexity, problem: infoCaseProblem });
describeSimplifier({ name: 'check', arbitrary: checkCaseArbitrary, simplify: simplifyCheckCase, complexity: checkCaseComplexity, problem: checkCaseProblem });
describeSimplifier({ name: 'measure', arbitrary: measureCaseArbitrary, simplify: simplifyMeasureCase, complexity: measureCaseComplexity, problem: measureCaseProblem });
describeSimplifier({ name: 'map', arbitrary: mapCaseArbitrary, simplify: simplifyMapCase, complexity: mapCaseComplexity, problem: (c) => imageSpecProblem(c.source) });
describeSimplifier({ name: 'bench', arbitrary: benchOpCaseArbitrary, simplify: simplifyBenchOpCase, complexity: benchOpCaseComplexity, problem: (c) => imageSpecProblem(c.source) });
describeSimplifier({ name: 'resize', arbitrary: resizeCaseArbitrary, simplify: simplifyResizeCase, complexity: resizeCaseComplexity, problem: (c) => imageSpecProblem(c.source) });
describeSimplifier({
  name: 'repair',
  arbitrary: repairCaseArbitrary,
  simplify: simplifyRepairCase,
  complexity: repairCaseComplexity,
  problem: (c) => checkCaseProblem({ kind: 'corrupt', source: c.source, fault: c.fault }),
});
describeSimplifier({
  name: 'amend',
  arbitrary: amendCaseArbitrary,
  simplify: simplifyAmendCase,
  complexity: amendCaseComplexity,
  problem: (c) => (c.source.layout.format !== 'qcow2' ? 'a non-qcow2 source' : c.source.extents.length === 0 ? 'a source without data' : imageSpecProblem(c.source)),
});

describeSimplifier({
  name: 'life cycle',
  arbitrary: lifecycleCaseArbitrary,
  simplify: simplifyLifecycleCase,
  complexity: lifecycleCaseComplexity,
  problem: (c) =>
    c.base.layout.format !== 'qcow2'
      ? 'a non-qcow2 base'
      : c.steps.length === 0 || c.steps.length > 8
        ? `${c.steps.length} steps`
        : c.base.extents.length > 3
          ? 'more than three base extents'
          : c.base.size % (64 * KiB) !== 0
            ? 'a base size off the 64 KiB grid'
            : imageSpecProblem(c.base),
});

// ---------------------------------------------------------------------------
// Each move by example.
// ---------------------------------------------------------------------------

const raw = (size: number, extents: ImageSpec['extents'] = []): ImageSpec => ({ layout: { format: 'raw' }, size, extents });

function movesOf<T>(moves: readonly { move: string; value: T }[]): string[] {
  return moves.map((m) => m.move);
}

function valueOf<T>(moves: readonly { move: string; value: T }[], move: string): T {
  const found = moves.find((m) => m.move === move);
  if (found === undefined) throw new Error(`no move "${move}" among ${JSON.stringify(movesOf(moves))}`);
  return found.value;
}

describe('the measure', () => {
  test('strictly simpler: none greater, one smaller', () => {
    expect(strictlySimpler([0, 1, 2], [0, 1, 3])).toBe(true);
    expect(strictlySimpler([0, 1, 3], [0, 1, 3])).toBe(false);
    expect(strictlySimpler([0, 2, 0], [1, 1, 9])).toBe(false);
    expect(() => strictlySimpler([0], [0, 1])).toThrow(/different lengths/);
  });
});

describe('image spec moves', () => {
  test('a 33,554,433-byte source gets the smallest size of every lower band, extents clipped', () => {
    const spec = raw(32 * MiB + 1, [{ offset: 32 * MiB - 10, length: 4096, fill: 7 }]);
    const moves = simplifyImageSpec(spec);
    expect(valueOf(moves, 'size 33554433 → 1 (smallest of its band)')).toEqual(raw(1, [{ offset: 0, length: 1, fill: 7 }]));
    expect(valueOf(moves, 'size 33554433 → 32768 (smallest of its band)')).toEqual(raw(32 * KiB, [{ offset: 28 * KiB, length: 4096, fill: 7 }]));
    expect(valueOf(moves, 'size 33554433 → 65536 (smallest of its band)').size).toBe(64 * KiB);
    expect(movesOf(moves).filter((m) => m.startsWith('size'))).toHaveLength(3);
    expect(movesOf(simplifyImageSpec(raw(1)))).toEqual([]);
  });

  test('each extent is dropped in turn', () => {
    const a = { offset: 0, length: 1, fill: 1 };
    const b = { offset: 1, length: 1, fill: 2 };
    const c = { offset: 2, length: 1, fill: 3 };
    const moves = simplifyImageSpec(raw(3, [a, b, c]));
    expect(valueOf(moves, 'drop extent 0').extents).toEqual([b, c]);
    expect(valueOf(moves, 'drop extent 1').extents).toEqual([a, c]);
    expect(valueOf(moves, 'drop extent 2').extents).toEqual([a, b]);
  });

  test('formats move to raw and qcow2 options toward their defaults', () => {
    const spec: ImageSpec = { layout: { format: 'qcow2', clusterSize: 16 * KiB, extendedL2: true, lazyRefcounts: true }, size: 512, extents: [] };
    const moves = simplifyImageSpec(spec);
    expect(valueOf(moves, 'format qcow2 → raw').layout).toEqual({ format: 'raw' });
    expect(valueOf(moves, 'cluster_size 16384 → 65536').layout).toEqual({ format: 'qcow2', clusterSize: 64 * KiB, extendedL2: true, lazyRefcounts: true });
    expect(valueOf(moves, 'extended_l2 on → off').layout).toMatchObject({ extendedL2: false });
    expect(valueOf(moves, 'lazy_refcounts on → off').layout).toMatchObject({ lazyRefcounts: false });
    expect(movesOf(simplifyImageSpec({ ...spec, layout: { format: 'vpc', subformat: 'fixed' } }))).toEqual([
      'size 512 → 1 (smallest of its band)',
      'format vpc → raw',
      'subformat fixed → dynamic',
    ]);
  });
});

describe('dd moves', () => {
  const base: DdCase = { source: raw(4096), target: 'vpc', bs: 4096, count: { kind: 'blocks', n: 1 }, skip: { kind: 'share', permille: 500 } };

  test('a 33,554,433-byte source yields a 1-byte one', () => {
    const large: DdCase = { ...base, source: raw(32 * MiB + 1), bs: MiB, count: { kind: 'absent' } };
    expect(valueOf(simplifyDdCase(large), 'source size 33554433 → 1 (smallest of its band)').source).toEqual(raw(1));
  });

  test('bs goes to 512, then to 1', () => {
    const to512 = valueOf(simplifyDdCase(base), 'bs 4096 → 512');
    expect(to512.bs).toBe(512);
    expect(valueOf(simplifyDdCase(to512), 'bs 512 → 1').bs).toBe(1);
    expect(movesOf(simplifyDdCase({ ...to512, bs: 1 })).some((m) => m.startsWith('bs'))).toBe(false);
  });

  test('count and skip go absent; the target goes raw', () => {
    const moves = simplifyDdCase(base);
    expect(valueOf(moves, 'count 1 blocks → absent').count).toEqual({ kind: 'absent' });
    expect(valueOf(moves, 'skip 500‰ of the image → absent').skip).toEqual({ kind: 'absent' });
    expect(valueOf(moves, 'target vpc → raw').target).toBe('raw');
  });

  test('a move past MAX_BLOCKS_COPIED is not offered', () => {
    // 64 KiB at bs=512 is 128 blocks; at bs=1 it is 65536, past the cap.
    const moves = movesOf(simplifyDdCase({ ...base, source: raw(64 * KiB), bs: 512, count: { kind: 'absent' }, skip: { kind: 'absent' } }));
    expect(moves).not.toContain('bs 512 → 1');
    // With count=1 block, bs=1 copies one block: offered.
    expect(movesOf(simplifyDdCase({ ...base, source: raw(64 * KiB), bs: 512, skip: { kind: 'absent' } }))).toContain('bs 512 → 1');
  });
});

describe('convert moves', () => {
  const base: ConvertCase = { source: raw(1), target: { format: 'qcow2', options: [['cluster_size', '512'], ['compat', '0.10']] }, compress: true };

  test('the target goes raw, without options or -c', () => {
    expect(valueOf(simplifyConvertCase(base), 'target qcow2 → raw')).toEqual({ source: raw(1), target: { format: 'raw', options: [] }, compress: false });
  });

  test('each option is dropped in turn, and -c', () => {
    const moves = simplifyConvertCase(base);
    expect(valueOf(moves, 'drop option cluster_size').target.options).toEqual([['compat', '0.10']]);
    expect(valueOf(moves, 'drop option compat').target.options).toEqual([['cluster_size', '512']]);
    expect(valueOf(moves, 'drop -c').compress).toBe(false);
  });

  test('a vpc target goes raw', () => {
    const vpc: ConvertCase = { source: raw(1), target: { format: 'vpc', options: [] }, compress: false };
    expect(valueOf(simplifyConvertCase(vpc), 'target vpc → raw').target).toEqual({ format: 'raw', options: [] });
  });
});

describe('create moves', () => {
  const valid: CreateCase = { target: 'qcow2', size: '2M', requestedBytes: String(2 * MiB), options: [['cluster_size', '512'], ['lazy_refcounts', 'on']], flaw: null };

  test('a size goes to the smallest of each lower band, written plainly', () => {
    const moves = simplifyCreateCase(valid);
    expect(valueOf(moves, 'size 2M → 0 (smallest of its band)')).toMatchObject({ size: '0', requestedBytes: '0' });
    expect(valueOf(moves, 'size 2M → 65536 (smallest of its band)')).toMatchObject({ size: '65536', requestedBytes: String(64 * KiB) });
    expect(movesOf(moves)).not.toContain('size 2M → 1G (smallest of its band)');
  });

  test('an option is dropped; the target goes raw', () => {
    const moves = simplifyCreateCase(valid);
    expect(valueOf(moves, 'drop option cluster_size=512').options).toEqual([['lazy_refcounts', 'on']]);
    expect(valueOf(moves, 'drop option lazy_refcounts=on').options).toEqual([['cluster_size', '512']]);
    expect(valueOf(moves, 'target qcow2 → raw')).toEqual({ ...valid, target: 'raw', options: [] });
  });

  test("a flaw's own options stay, and it stays the flaw", () => {
    const flawed: CreateCase = {
      target: 'qcow2',
      size: '1024',
      requestedBytes: '1024',
      options: [['cluster_size', '1024'], ['extended_l2', 'on'], ['preallocation', 'off']],
      flaw: 'extended-l2-small-clusters',
    };
    expect(movesOf(simplifyCreateCase(flawed))).toEqual(['drop option preallocation=off', 'size 1024 → 0 (smallest of its band)']);
  });

  test('a size just past the limit keeps its limit: options that move the limit stay', () => {
    const limit = sizeLimit('qcow2', [['cluster_size', '512']])!;
    const past = (limit + 1n).toString();
    const flawed: CreateCase = { target: 'qcow2', size: past, requestedBytes: past, options: [['cluster_size', '512'], ['compat', '1.1']], flaw: 'size-too-large' };
    expect(movesOf(simplifyCreateCase(flawed))).toEqual(['drop option compat=1.1']);
  });

  test('a drop that would push a valid size past the limit is skipped', () => {
    const limit = sizeLimit('qcow2', [['cluster_size', '2097152']])!;
    const atLimit: CreateCase = { target: 'qcow2', size: limit.toString(), requestedBytes: limit.toString(), options: [['cluster_size', '2097152']], flaw: null };
    expect(movesOf(simplifyCreateCase(atLimit)).filter((m) => m.startsWith('drop') || m.startsWith('target'))).toEqual([]);
  });
});

describe('info moves', () => {
  const data = raw(64 * KiB, [{ offset: 100, length: 10, fill: 9 }]);
  const mbr = { bootable: true, partitionType: 0x07, startLba: 2048 };
  const source = withMbr(data, mbr);

  test('an MBR is recognised, and simplified as a whole', () => {
    expect(splitInfoSource(source)).toEqual({ data: { ...data, size: source.size }, mbr });
    const outputs = ['human'] as const;
    const moves = simplifyInfoCase({ source, outputs });
    expect(valueOf(moves, 'drop the MBR')).toEqual({ source: { ...data, size: source.size }, outputs });
    expect(valueOf(moves, 'MBR not bootable')).toEqual({ source: withMbr({ ...data, size: source.size }, { ...mbr, bootable: false }), outputs });
    expect(valueOf(moves, 'MBR partition start 2048 → 1')).toEqual({ source: withMbr({ ...data, size: source.size }, { ...mbr, startLba: 1 }), outputs });
    // The data shrinks under the same MBR: the partition's sector keeps the size.
    const smaller = valueOf(moves, 'source size 1049088 → 1 (smallest of its band)');
    expect(smaller.source.size).toBe(source.size);
    expect(splitInfoSource(smaller.source)).toEqual({ data: { ...data, size: source.size, extents: [{ offset: 0, length: 1, fill: 9 }] }, mbr });
    // The table's own extents are never dropped one by one.
    expect(movesOf(moves).filter((m) => m.includes('drop extent'))).toEqual(['source drop extent 0']);
  });

  test('a source without an MBR is simplified as an image spec', () => {
    expect(movesOf(simplifyInfoCase({ source: data, outputs: ['json'] }))).toEqual(movesOf(simplifyImageSpec(data)).map((m) => `source ${m}`));
  });

  test('a corpus case saved before output modes were drawn asks for both; a newer one keeps its own', () => {
    expect(infoCaseFromJson({ source: data })).toEqual({ source: data, outputs: ['json', 'human'] });
    expect(infoCaseFromJson({ source: data, outputs: ['human'] })).toEqual({ source: data, outputs: ['human'] });
  });

  test('both output modes come down to either one, before the source is touched', () => {
    const moves = simplifyInfoCase({ source: data, outputs: ['json', 'human'] });
    expect(movesOf(moves).slice(0, 2)).toEqual(['json output only', 'human output only']);
    expect(valueOf(moves, 'human output only')).toEqual({ source: data, outputs: ['human'] });
    expect(valueOf(moves, `source ${movesOf(simplifyImageSpec(data))[0]}`).outputs).toEqual(['json', 'human']);
  });
});

describe('check moves', () => {
  const qcow2: ImageSpec = { layout: { format: 'qcow2', clusterSize: 512, extendedL2: false, lazyRefcounts: false }, size: 4096, extents: [{ offset: 0, length: 1, fill: 1 }] };

  test('a fault is dropped; its source stays qcow2 with data', () => {
    const moves = simplifyCheckCase({ kind: 'corrupt', source: qcow2, fault: { kind: 'leak', site: 3 } });
    expect(valueOf(moves, 'drop fault leak')).toEqual({ kind: 'clean', source: qcow2 });
    expect(movesOf(moves)).not.toContain('source format qcow2 → raw');
    expect(movesOf(moves)).not.toContain('source drop extent 0');
    expect(valueOf(moves, 'source cluster_size 512 → 65536')).toMatchObject({ kind: 'corrupt', fault: { kind: 'leak', site: 3 } });
  });

  test('a clean source may go raw and lose its data', () => {
    const moves = movesOf(simplifyCheckCase({ kind: 'clean', source: qcow2 }));
    expect(moves).toContain('source format qcow2 → raw');
    expect(moves).toContain('source drop extent 0');
  });
});

describe('measure moves', () => {
  test('--size goes to the smallest of each lower band', () => {
    const c: MeasureCase = { input: { kind: 'size', size: String(2 * 1024 * 1024 * MiB) }, target: { format: 'raw', options: [] }, output: 'json' };
    expect(movesOf(simplifyMeasureCase(c))).toEqual([
      `--size ${2 * 1024 * 1024 * MiB} → 0 (smallest of its band)`,
      `--size ${2 * 1024 * 1024 * MiB} → ${1024 * 1024 * MiB} (smallest of its band)`,
    ]);
    // Past 2^53 (exact digits): the band just below 2^53 is the next step down.
    const huge: MeasureCase = { ...c, input: { kind: 'size', size: '9223372036854775807' } };
    expect(movesOf(simplifyMeasureCase(huge))).toContain(`--size 9223372036854775807 → ${2n ** 53n - BigInt(MiB)} (smallest of its band)`);
  });

  test('a qcow2 source going raw loses its bitmaps; each bitmap and option is dropped in turn', () => {
    const source: ImageSpec = { layout: { format: 'qcow2', clusterSize: 64 * KiB, extendedL2: false, lazyRefcounts: false }, size: 1, extents: [] };
    const c: MeasureCase = {
      input: { kind: 'source', source, bitmaps: [512, 65536] },
      target: { format: 'qcow2', options: [['cluster_size', '512'], ['preallocation', 'full']] },
      output: 'human',
    };
    const moves = simplifyMeasureCase(c);
    expect(valueOf(moves, 'source format qcow2 → raw').input).toEqual({ kind: 'source', source: { ...source, layout: { format: 'raw' } }, bitmaps: [] });
    expect(valueOf(moves, 'drop bitmap 0').input).toMatchObject({ bitmaps: [65536] });
    expect(valueOf(moves, 'drop option cluster_size').target.options).toEqual([['preallocation', 'full']]);
    expect(valueOf(moves, 'target qcow2 → raw').target).toEqual({ format: 'raw', options: [['preallocation', 'full']] });
  });
});
