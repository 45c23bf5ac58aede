import fc from 'fast-check';
import type { ImageSpec } from '../images/image-spec.ts';
import type { Qcow2Fault } from '../images/qcow2-corrupt.ts';
import { corruptQcow2Arbitrary } from './qcow2-corruption.ts';

/** What `check --repair` may fix: leaks only, or leaks and corruptions. */
export type RepairTier = 'leaks' | 'all';

export const REPAIR_TIERS: readonly RepairTier[] = ['leaks', 'all'];

/**
 * One `check --repair` case: a qcow2 with data (faultableQcow2Arbitrary:
 * every cluster size, extended L2, lazy refcounts, at least one extent), one
 * injected fault, and the repair tier. Both tools repair their own copy of
 * the same corrupted bytes.
 */
export interface RepairCase {
  readonly source: ImageSpec;
  readonly fault: Qcow2Fault;
  readonly tier: RepairTier;
}

/** Shrinks toward the leaks tier (the narrower repair) and the corruption arbitrary's simplest fault. */
export const repairCaseArbitrary: fc.Arbitrary<RepairCase> = fc
  .record({ corrupt: corruptQcow2Arbitrary, tier: fc.constantFrom(...REPAIR_TIERS) })
  .map(({ corrupt, tier }) => ({ source: corrupt.base, fault: corrupt.fault, tier }));
