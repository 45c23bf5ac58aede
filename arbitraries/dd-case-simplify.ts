import type { BlockOperand, DdCase } from './dd-case.ts';
import { withinBlockLimit } from './dd-case.ts';
import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import { lift, type Complexity, type Simplification } from './simplification.ts';

/** bs=1 is simplest, then 512, then any other. */
function bsRank(bs: number): number {
  return bs === 1 ? 0 : bs === 512 ? 1 : 2;
}

function describeOperand(operand: BlockOperand): string {
  switch (operand.kind) {
    case 'absent':
      return 'absent';
    case 'blocks':
      return `${operand.n} blocks`;
    case 'share':
      return `${operand.permille}‰ of the image`;
  }
}

/**
 * Simpler dd cases: a simpler source, the target toward raw, bs toward 512
 * then 1, count or skip absent. Moves that would copy more than
 * MAX_BLOCKS_COPIED blocks (the arbitrary's filter) are left out.
 */
export function simplifyDdCase(ddCase: DdCase): readonly Simplification<DdCase>[] {
  const moves: Simplification<DdCase>[] = lift(simplifyImageSpec(ddCase.source), 'source ', (source) => ({ ...ddCase, source }));
  if (ddCase.target !== 'raw') moves.push({ move: `target ${ddCase.target} → raw`, value: { ...ddCase, target: 'raw' } });
  if (ddCase.bs === 512) moves.push({ move: 'bs 512 → 1', value: { ...ddCase, bs: 1 } });
  else if (ddCase.bs !== 1) moves.push({ move: `bs ${ddCase.bs} → 512`, value: { ...ddCase, bs: 512 } });
  for (const operand of ['count', 'skip'] as const) {
    if (ddCase[operand].kind !== 'absent') {
      moves.push({ move: `${operand} ${describeOperand(ddCase[operand])} → absent`, value: { ...ddCase, [operand]: { kind: 'absent' } } });
    }
  }
  return moves.filter(({ value }) => withinBlockLimit(value));
}

/** The source's, then [target (raw 0), bs rank, count present, skip present]. */
export function ddCaseComplexity(ddCase: DdCase): Complexity {
  return [
    ...imageSpecComplexity(ddCase.source),
    ddCase.target === 'raw' ? 0 : 1,
    bsRank(ddCase.bs),
    ddCase.count.kind === 'absent' ? 0 : 1,
    ddCase.skip.kind === 'absent' ? 0 : 1,
  ];
}
