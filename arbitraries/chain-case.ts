import fc from 'fast-check';
import type { Extent } from '../images/image-spec.ts';
import { resolveRegion, type Region } from './lifecycle-case.ts';

const KiB = 1024;

/**
 * A chain case: a qcow2 backing chain base ← mid ← top (one to three
 * layers, each with data of its own fill bytes), an unrelated `other.qcow2`
 * with data to rebase onto, then a sequence of writes, rebases and commits
 * applied to the reference's copy of every file and the candidate's alike.
 * Steps are plain data resolved against the model when they run, so a case
 * is JSON and shrinks as an array: fewer steps first, then simpler ones.
 */
export interface ChainCase {
  /** Bottom first; the last layer is the top, the file every rebase and commit acts on. */
  readonly layers: readonly LayerSpec[];
  /** The top's (and mid's) virtual size; a multiple of 64 KiB. */
  readonly size: number;
  /** The base's virtual size: the same, or smaller (whole 64 KiB units). */
  readonly baseSize: number;
  readonly other: LayerSpec & { readonly size: number };
  readonly steps: readonly ChainStep[];
}

export interface LayerSpec {
  readonly clusterSize: number;
  readonly extents: readonly Extent[];
}

/**
 * Files are named by position, resolved when the step runs: `file` picks
 * among [top, the layers below it top-down, other]; `onto` and `base` among
 * the files other than the top.
 */
export type ChainStep =
  | { readonly do: 'write'; readonly file: number; readonly region: Region; readonly fill: number }
  /** `rebase -b NEW -F qcow2 [-u] top`; `onto: null` detaches (`-b ''`). */
  | { readonly do: 'rebase'; readonly onto: number | null; readonly unsafe: boolean }
  /** `commit [-b BASE] [-d] top`. */
  | { readonly do: 'commit'; readonly base: number | null; readonly drop: boolean };

export const CHAIN_CLUSTER_SIZES: readonly number[] = [65536, 512, 4096];

/** Names bottom-up for a chain of `count` layers. */
export function layerNames(count: number): readonly string[] {
  return count >= 3 ? ['base.qcow2', 'mid.qcow2', 'top.qcow2'] : count === 2 ? ['base.qcow2', 'top.qcow2'] : ['top.qcow2'];
}

export const TOP = 'top.qcow2';
export const OTHER = 'other.qcow2';

/** Distinct fills per layer (bottom-up) and extent, so that whose data shows through is plain: 0x1_, 0x2_, 0x3_; other 0x4_. */
export const fillOf = (file: number, extent: number): number => 0x11 + file * 0x10 + extent;

const regionArbitrary: fc.Arbitrary<Region> = fc.record({
  at: fc.integer({ min: 0, max: 999 }),
  sectors: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 256 })),
});

const extentsArbitrary = fc.array(fc.record({ at: fc.integer({ min: 0, max: 999 }), sectors: fc.integer({ min: 1, max: 256 }) }), { maxLength: 3 });

/** Writes most often (they make rebase and commit matter), then rebases and commits alike; shrinks toward a write to the top. */
export const chainStepArbitrary: fc.Arbitrary<ChainStep> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.record({ do: fc.constant('write' as const), file: fc.nat({ max: 3 }), region: regionArbitrary, fill: fc.integer({ min: 1, max: 255 }) }), weight: 3 },
  { arbitrary: fc.record({ do: fc.constant('rebase' as const), onto: fc.option(fc.nat({ max: 2 }), { freq: 5 }), unsafe: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ do: fc.constant('commit' as const), base: fc.option(fc.nat({ max: 2 }), { freq: 2 }), drop: fc.boolean() }), weight: 3 },
);

function placed(extents: ReadonlyArray<{ at: number; sectors: number }>, size: number, file: number): Extent[] {
  return extents.map((e, index) => ({ ...resolveRegion(e, size), fill: fillOf(file, index) }));
}

/** How large a generated chain case may be. */
export interface ChainCaseLimits {
  readonly maxLayers: number;
  readonly maxSteps: number;
  /** The top's size in 64 KiB units. */
  readonly maxUnits: number;
}

/** The property's: up to three layers of up to 1 MiB, up to six steps. */
export const CHAIN_CASE_LIMITS: ChainCaseLimits = { maxLayers: 3, maxSteps: 6, maxUnits: 16 };

/**
 * One to three layers of 64 KiB to 1 MiB, cluster sizes 512, 4 KiB and
 * 64 KiB (per layer, so cross-size rebases and commits occur), up to three
 * extents each. Shrinks toward one empty 64 KiB layer with 64 KiB clusters.
 * Smaller limits give a sub-class of the same cases (the mutation tests'
 * hunts, which must shrink within their time).
 */
export function chainCaseArbitraryWithin(limits: ChainCaseLimits): fc.Arbitrary<ChainCase> {
  return fc
    .record({
      units: fc.integer({ min: 1, max: limits.maxUnits }),
      baseCut: fc.nat({ max: 15 }),
      otherCut: fc.nat({ max: 15 }),
      layers: fc.array(fc.record({ clusterSize: fc.constantFrom(...CHAIN_CLUSTER_SIZES), extents: extentsArbitrary }), { minLength: 1, maxLength: limits.maxLayers }),
      other: fc.record({ clusterSize: fc.constantFrom(...CHAIN_CLUSTER_SIZES), extents: extentsArbitrary }),
      steps: fc.array(chainStepArbitrary, { minLength: 1, maxLength: limits.maxSteps }),
    })
    .map(({ units, baseCut, otherCut, layers, other, steps }) => {
      const size = units * 64 * KiB;
      const baseSize = layers.length > 1 ? Math.max(1, units - baseCut) * 64 * KiB : size;
      const otherSize = Math.max(1, units - otherCut) * 64 * KiB;
      return {
        layers: layers.map((l, i) => ({ clusterSize: l.clusterSize, extents: placed(l.extents, i === 0 ? baseSize : size, i) })),
        size,
        baseSize,
        other: { clusterSize: other.clusterSize, size: otherSize, extents: placed(other.extents, otherSize, 3) },
        steps,
      };
    });
}

export const chainCaseArbitrary: fc.Arbitrary<ChainCase> = chainCaseArbitraryWithin(CHAIN_CASE_LIMITS);
