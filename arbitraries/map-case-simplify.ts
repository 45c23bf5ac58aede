import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import type { MapCase, WindowBound } from './map-case.ts';
import { lift, type Complexity, type Simplification } from './simplification.ts';

function describeBound(bound: WindowBound): string {
  switch (bound.kind) {
    case 'absent':
      return 'absent';
    case 'bytes':
      return `${bound.n} bytes`;
    case 'share':
      return `${bound.permille}‰ of the image${bound.aligned ? ' (64 KiB-aligned)' : ''}`;
  }
}

/** Simpler map cases: a simpler source, or a window bound left out. */
export function simplifyMapCase(mapCase: MapCase): readonly Simplification<MapCase>[] {
  const moves: Simplification<MapCase>[] = lift(simplifyImageSpec(mapCase.source), 'source ', (source) => ({ ...mapCase, source }));
  for (const bound of ['start', 'length'] as const) {
    if (mapCase[bound].kind !== 'absent') {
      moves.push({ move: `${bound} ${describeBound(mapCase[bound])} → absent`, value: { ...mapCase, [bound]: { kind: 'absent' } } });
    }
  }
  return moves;
}

/** The source's, then [start given, length given]. */
export function mapCaseComplexity(mapCase: MapCase): Complexity {
  return [...imageSpecComplexity(mapCase.source), mapCase.start.kind === 'absent' ? 0 : 1, mapCase.length.kind === 'absent' ? 0 : 1];
}
