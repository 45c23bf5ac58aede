import type { Extent, ImageSpec } from '../images/image-spec.ts';
import { BITMAP_GRANULARITIES, SNAPSHOT_NAMES, resolveRegion, type LifecycleCase, type LifecycleStep, type SnapshotTarget } from './lifecycle-case.ts';
import { dropEach, type Complexity, type Simplification } from './simplification.ts';

const UNIT = 64 * 1024;
/** The base's cluster sizes in the arbitrary's order: the first is the simplest. */
const CLUSTER_SIZES = [65536, 512, 4096] as const;
const MAX_BASE_EXTENTS = 3;

/** The arbitrary's fill for the extent at `index` (lifecycle-case.ts). */
const fillFor = (index: number): number => ((index * 0x47 + 0x21) % 255) + 1;

const refilled = (extents: readonly Extent[]): Extent[] => extents.map((e, index) => ({ ...e, fill: fillFor(index) }));

function clusterSizeOf(base: ImageSpec): number {
  return base.layout.format === 'qcow2' ? base.layout.clusterSize : 65536;
}

function withLayout(base: ImageSpec, change: { clusterSize?: number; lazyRefcounts?: boolean }): ImageSpec {
  if (base.layout.format !== 'qcow2') return base;
  return { ...base, layout: { ...base.layout, ...change } };
}

/** Simpler bases: the smallest size that still holds the data, the first cluster size, no lazy refcounts, fewer and shorter extents. */
function simplerBases(base: ImageSpec): Simplification<ImageSpec>[] {
  const moves: Simplification<ImageSpec>[] = [];
  const end = base.extents.reduce((max, e) => Math.max(max, e.offset + e.length), 0);
  const smallest = Math.max(1, Math.ceil(end / UNIT)) * UNIT;
  if (smallest < base.size) moves.push({ move: `size ${base.size} → ${smallest}`, value: { ...base, size: smallest } });
  const rank = CLUSTER_SIZES.indexOf(clusterSizeOf(base) as (typeof CLUSTER_SIZES)[number]);
  for (const clusterSize of CLUSTER_SIZES.slice(0, rank)) moves.push({ move: `cluster size → ${clusterSize}`, value: withLayout(base, { clusterSize }) });
  if (base.layout.format === 'qcow2' && base.layout.lazyRefcounts) moves.push({ move: 'lazy refcounts → off', value: withLayout(base, { lazyRefcounts: false }) });
  for (const { index, rest } of dropEach(base.extents)) moves.push({ move: `drop base extent ${index}`, value: { ...base, extents: refilled(rest) } });
  base.extents.forEach((extent, index) => {
    const set = (e: Extent): Extent[] => base.extents.map((x, i) => (i === index ? e : x));
    if (extent.length > 512) moves.push({ move: `base extent ${index} length → 512`, value: { ...base, extents: set({ ...extent, length: 512 }) } });
    if (extent.offset > 0) moves.push({ move: `base extent ${index} offset → 0`, value: { ...base, extents: set({ ...extent, offset: 0 }) } });
  });
  return moves;
}

const simplestTarget: SnapshotTarget = { by: 'name', pick: 0 };
const targetRank = (t: SnapshotTarget): number => (t.by === 'literal' ? 20 : t.by === 'id' ? 16 + t.pick : t.pick);
const granularityRank = (g: number | null): number => BITMAP_GRANULARITIES.indexOf(g);

/** Simpler variants of one step, keeping its kind. */
function simplerSteps(step: LifecycleStep): Array<{ move: string; step: LifecycleStep }> {
  const out: Array<{ move: string; step: LifecycleStep }> = [];
  if ('region' in step && (step.region.at > 0 || step.region.sectors > 1)) out.push({ move: 'region → first sector', step: { ...step, region: { at: 0, sectors: 1 } } });
  if (step.do === 'write' && step.fill > 1) out.push({ move: `fill ${step.fill} → 1`, step: { ...step, fill: 1 } });
  if (step.do === 'snapshot-create' && SNAPSHOT_NAMES.indexOf(step.name) > 0) out.push({ move: `name → ${SNAPSHOT_NAMES[0]}`, step: { ...step, name: SNAPSHOT_NAMES[0] ?? 'alpha' } });
  if ((step.do === 'snapshot-delete' || step.do === 'snapshot-apply') && targetRank(step.target) > 0) out.push({ move: 'target → first name', step: { ...step, target: simplestTarget } });
  if ('bitmap' in step && step.bitmap > 0) out.push({ move: 'bitmap → b0', step: { ...step, bitmap: 0 } });
  if (step.do === 'bitmap-merge' && step.source > 0) out.push({ move: 'source → b0', step: { ...step, source: 0 } });
  if (step.do === 'bitmap-add' && step.granularity !== null) out.push({ move: '-g → default', step: { ...step, granularity: null } });
  if (step.do === 'bitmap-add' && step.disabled) out.push({ move: '--disable → left out', step: { ...step, disabled: false } });
  if (step.do === 'resize' && step.grow64k > 1) out.push({ move: 'grow → 64 KiB', step: { ...step, grow64k: 1 } });
  if (step.do === 'amend' && step.lazyRefcounts) out.push({ move: 'lazy_refcounts → off', step: { ...step, lazyRefcounts: false } });
  return out;
}

/**
 * Simpler life-cycle cases: a command dropped, a leading write folded into
 * the base (one command fewer: "the fewest commands" comes before "the
 * simplest image"), a simpler base, or a simpler command.
 */
export function simplifyLifecycleCase(lifecycleCase: LifecycleCase): readonly Simplification<LifecycleCase>[] {
  const { base, steps } = lifecycleCase;
  const moves: Simplification<LifecycleCase>[] = [];
  if (steps.length > 1) {
    for (const { index, rest } of dropEach(steps)) moves.push({ move: `drop step ${index + 1}`, value: { base, steps: rest } });
    const [first, ...rest] = steps;
    if (first?.do === 'write' && base.extents.length < MAX_BASE_EXTENTS) {
      const { offset, length } = resolveRegion(first.region, base.size);
      const extents = refilled([...base.extents, { offset, length, fill: 0 }]);
      moves.push({ move: 'fold step 1 (a write) into the base', value: { base: { ...base, extents }, steps: rest } });
    }
  }
  // A bitmap renamed to b0 everywhere, when no step names b0: names in one step alone cannot move.
  const usedBitmaps = new Set(steps.flatMap((s) => [...('bitmap' in s ? [s.bitmap] : []), ...(s.do === 'bitmap-merge' ? [s.source] : [])]));
  if (!usedBitmaps.has(0)) {
    for (const k of [...usedBitmaps].sort()) {
      const renamed = steps.map((s) => {
        const named = 'bitmap' in s && s.bitmap === k ? { ...s, bitmap: 0 } : s;
        return named.do === 'bitmap-merge' && named.source === k ? { ...named, source: 0 } : named;
      });
      moves.push({ move: `bitmap b${k} → b0 in every step`, value: { base, steps: renamed } });
    }
  }
  // A write moved one earlier (toward a fold into the base).
  steps.forEach((step, index) => {
    const before = steps[index - 1];
    if (step.do !== 'write' || before === undefined || before.do === 'write') return;
    const swapped = steps.map((s, i) => (i === index - 1 ? step : i === index ? before : s));
    moves.push({ move: `step ${index + 1} (a write) one earlier`, value: { base, steps: swapped } });
  });
  for (const { move, value } of simplerBases(base)) moves.push({ move: `base ${move}`, value: { base: value, steps } });
  steps.forEach((step, index) => {
    for (const simpler of simplerSteps(step)) {
      moves.push({ move: `step ${index + 1} ${simpler.move}`, value: { base, steps: steps.map((s, i) => (i === index ? simpler.step : s)) } });
    }
  });
  return moves;
}

function stepComplexity(step: LifecycleStep): number {
  let total = 0;
  if ('region' in step) total += step.region.at + step.region.sectors - 1;
  if (step.do === 'write') total += step.fill - 1;
  if (step.do === 'snapshot-create') total += SNAPSHOT_NAMES.indexOf(step.name);
  if (step.do === 'snapshot-delete' || step.do === 'snapshot-apply') total += targetRank(step.target);
  if ('bitmap' in step) total += step.bitmap;
  if (step.do === 'bitmap-merge') total += step.source;
  if (step.do === 'bitmap-add') total += granularityRank(step.granularity) + (step.disabled ? 1 : 0);
  if (step.do === 'resize') total += step.grow64k - 1;
  if (step.do === 'amend') total += step.lazyRefcounts ? 1 : 0;
  return total;
}

/**
 * Commands first, then the base's data: one number, 2^27 per command plus,
 * per base extent, 2^23 and its length and offset in bytes (a base holds at
 * most 4 MiB, so they stay below 2^27): folding a write into the base trades
 * a command for an extent and still counts as simpler. Then the base's size
 * units, cluster-size rank and lazy refcounts, the commands' own
 * complexity, and how late the writes come.
 */
export function lifecycleCaseComplexity(lifecycleCase: LifecycleCase): Complexity {
  const { base, steps } = lifecycleCase;
  const data = base.extents.reduce((sum, e) => sum + 2 ** 23 + e.length + e.offset, 0);
  return [
    steps.length * 2 ** 27 + data,
    base.size / UNIT,
    CLUSTER_SIZES.indexOf(clusterSizeOf(base) as (typeof CLUSTER_SIZES)[number]),
    base.layout.format === 'qcow2' && base.layout.lazyRefcounts ? 1 : 0,
    steps.reduce((sum, s) => sum + stepComplexity(s), 0),
    steps.reduce((sum, s, index) => sum + (s.do === 'write' ? index : 0), 0),
  ];
}
