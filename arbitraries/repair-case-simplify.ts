import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import type { RepairCase } from './repair-case.ts';
import { lift, type Complexity, type Simplification } from './simplification.ts';

/**
 * Simpler repair cases: a simpler source that still holds a fault (qcow2
 * with at least one extent, as the corruption arbitrary draws), the first
 * site of the same fault kind, or the leaks tier in place of all. The fault
 * kind itself is kept: each kind is a different repair.
 */
export function simplifyRepairCase(repairCase: RepairCase): readonly Simplification<RepairCase>[] {
  const moves: Simplification<RepairCase>[] = lift(
    simplifyImageSpec(repairCase.source, { keepFormat: true, minExtents: 1 }),
    'source ',
    (source): RepairCase => ({ ...repairCase, source }),
  );
  if (repairCase.fault.site !== 0) {
    moves.push({ move: `fault site ${repairCase.fault.site} → 0`, value: { ...repairCase, fault: { ...repairCase.fault, site: 0 } } });
  }
  if (repairCase.tier === 'all') moves.push({ move: 'tier all → leaks', value: { ...repairCase, tier: 'leaks' } });
  return moves;
}

/** The source's, then [fault site, tier all]. */
export function repairCaseComplexity(repairCase: RepairCase): Complexity {
  return [...imageSpecComplexity(repairCase.source), repairCase.fault.site, repairCase.tier === 'all' ? 1 : 0];
}
