import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import { PREALLOCATIONS, type ResizeCase } from './resize-case.ts';
import { lift, type Complexity, type Simplification } from './simplification.ts';

/**
 * Deltas that are simpler: none, one byte or one sector the same way, or
 * half the change (whole sectors kept whole). No "one less" step: chains
 * of moves must stay short (halving is logarithmic).
 */
function simplerDeltas(delta: number): number[] {
  if (delta === 0) return [];
  const half = Math.trunc(delta / 2);
  const halfKeepingSectors = delta % 512 === 0 ? Math.trunc(delta / 1024) * 512 : half;
  // `|| 0`: never -0, which a report would print as 0 but toEqual tells apart.
  return [...new Set([0, Math.sign(delta), 512 * Math.sign(delta), halfKeepingSectors].map((d) => d || 0).filter((d) => Math.abs(d) < Math.abs(delta)))];
}

/** Simpler resize cases: a simpler source, a smaller change, the absolute form, no --shrink, an earlier preallocation. */
export function simplifyResizeCase(resizeCase: ResizeCase): readonly Simplification<ResizeCase>[] {
  const moves: Simplification<ResizeCase>[] = lift(simplifyImageSpec(resizeCase.source), 'source ', (source) => ({ ...resizeCase, source }));
  const { target } = resizeCase;
  for (const delta of simplerDeltas(target.delta)) {
    moves.push({ move: `delta ${target.delta} → ${delta}`, value: { ...resizeCase, target: { ...target, delta } } });
  }
  if (target.form === 'relative') moves.push({ move: 'relative size → absolute', value: { ...resizeCase, target: { ...target, form: 'absolute' } } });
  if (resizeCase.shrink) moves.push({ move: '--shrink → left out', value: { ...resizeCase, shrink: false } });
  const rank = PREALLOCATIONS.indexOf(resizeCase.preallocation);
  for (const preallocation of PREALLOCATIONS.slice(0, rank)) {
    moves.push({ move: `preallocation ${resizeCase.preallocation} → ${preallocation}`, value: { ...resizeCase, preallocation } });
  }
  return moves;
}

/** The source's, then [|delta|, relative form, --shrink, preallocation rank]. */
export function resizeCaseComplexity(resizeCase: ResizeCase): Complexity {
  return [
    ...imageSpecComplexity(resizeCase.source),
    Math.abs(resizeCase.target.delta),
    resizeCase.target.form === 'relative' ? 1 : 0,
    resizeCase.shrink ? 1 : 0,
    PREALLOCATIONS.indexOf(resizeCase.preallocation),
  ];
}
