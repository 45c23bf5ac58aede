import type { ConvertCase } from './convert-case.ts';
import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import { dropEach, lift, type Complexity, type Simplification } from './simplification.ts';

/**
 * Simpler convert cases: a simpler source, the target toward raw (which
 * takes no options and no -c), one -o option fewer, no -c. The arbitrary
 * keeps combinations qemu-img refuses, so any option may go.
 */
export function simplifyConvertCase(convertCase: ConvertCase): readonly Simplification<ConvertCase>[] {
  const { source, target, compress } = convertCase;
  const moves: Simplification<ConvertCase>[] = lift(simplifyImageSpec(source), 'source ', (s) => ({ ...convertCase, source: s }));
  if (target.format !== 'raw') {
    moves.push({ move: `target ${target.format} → raw`, value: { source, target: { format: 'raw', options: [] }, compress: false } });
  }
  for (const { index, rest } of dropEach(target.options)) {
    moves.push({ move: `drop option ${target.options[index]![0]}`, value: { ...convertCase, target: { format: target.format, options: rest } } });
  }
  if (compress) moves.push({ move: 'drop -c', value: { ...convertCase, compress: false } });
  return moves;
}

/** The source's, then [target (raw 0), option count, -c given]. */
export function convertCaseComplexity(convertCase: ConvertCase): Complexity {
  return [
    ...imageSpecComplexity(convertCase.source),
    convertCase.target.format === 'raw' ? 0 : 1,
    convertCase.target.options.length,
    convertCase.compress ? 1 : 0,
  ];
}
