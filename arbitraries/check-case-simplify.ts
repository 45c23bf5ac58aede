import type { CheckCase } from './check-case.ts';
import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import { lift, type Complexity, type Simplification } from './simplification.ts';

/**
 * Simpler check cases: a clean image with a simpler source; a corrupted
 * one without its fault (a clean case on the same source), or with a
 * simpler source that still holds a fault: qcow2 (layout options may move
 * toward their defaults) with at least one extent of data, which is what
 * every fault kind needs (faultableQcow2Arbitrary).
 */
export function simplifyCheckCase(checkCase: CheckCase): readonly Simplification<CheckCase>[] {
  if (checkCase.kind === 'clean') {
    return lift(simplifyImageSpec(checkCase.source), 'source ', (source): CheckCase => ({ kind: 'clean', source }));
  }
  const { fault } = checkCase;
  return [
    { move: `drop fault ${fault.kind}`, value: { kind: 'clean', source: checkCase.source } },
    ...lift(simplifyImageSpec(checkCase.source, { keepFormat: true, minExtents: 1 }), 'source ', (source): CheckCase => ({
      kind: 'corrupt',
      source,
      fault,
    })),
  ];
}

/** [fault present, then the source's]. */
export function checkCaseComplexity(checkCase: CheckCase): Complexity {
  return [checkCase.kind === 'corrupt' ? 1 : 0, ...imageSpecComplexity(checkCase.source)];
}
