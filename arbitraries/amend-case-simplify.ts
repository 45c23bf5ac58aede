import { AMEND_CHANGES, type AmendCase } from './amend-case.ts';
import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import { lift, type Complexity, type Simplification } from './simplification.ts';

/** Simpler amend cases: a simpler qcow2 source with data, the default refcount width, a plain downgrade for a zstd one, or a no-op amend. */
export function simplifyAmendCase(amendCase: AmendCase): readonly Simplification<AmendCase>[] {
  const moves: Simplification<AmendCase>[] = lift(
    simplifyImageSpec(amendCase.source, { keepFormat: true, minExtents: 1 }),
    'source ',
    (source): AmendCase => ({ ...amendCase, source }),
  );
  if (amendCase.refcountBits !== 16) moves.push({ move: `refcount_bits ${amendCase.refcountBits} → 16`, value: { ...amendCase, refcountBits: 16 } });
  // A zstd downgrade is a plain downgrade plus a compression type.
  if (amendCase.change === 'downgrade-zstd') moves.push({ move: 'change downgrade-zstd → downgrade', value: { ...amendCase, change: 'downgrade' } });
  if (amendCase.change !== 'noop') moves.push({ move: `change ${amendCase.change} → noop`, value: { ...amendCase, change: 'noop' } });
  return moves;
}

/** The source's, then [refcount width not 16, the change's rank]. */
export function amendCaseComplexity(amendCase: AmendCase): Complexity {
  return [...imageSpecComplexity(amendCase.source), amendCase.refcountBits === 16 ? 0 : 1, AMEND_CHANGES.indexOf(amendCase.change)];
}
