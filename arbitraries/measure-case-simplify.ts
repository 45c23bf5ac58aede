import { IMAGE_SPEC_COMPLEXITY_LENGTH, imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import { MEASURE_SIZE_BAND_MINIMA, type MeasureCase, type MeasureInput } from './measure-case.ts';
import { dropEach, lift, type Complexity, type Simplification } from './simplification.ts';

function simplerInputs(input: MeasureInput): Simplification<MeasureInput>[] {
  if (input.kind === 'size') {
    return [...new Set(MEASURE_SIZE_BAND_MINIMA)]
      .filter((minimum) => minimum < BigInt(input.size))
      .map((minimum) => ({ move: `--size ${input.size} → ${minimum} (smallest of its band)`, value: { kind: 'size', size: minimum.toString() } }));
  }
  // Only qcow2 sources carry bitmaps: a move away from qcow2 drops them.
  const moves: Simplification<MeasureInput>[] = lift(simplifyImageSpec(input.source), 'source ', (source) => ({
    kind: 'source',
    source,
    bitmaps: source.layout.format === 'qcow2' ? input.bitmaps : [],
  }));
  for (const { index, rest } of dropEach(input.bitmaps)) moves.push({ move: `drop bitmap ${index}`, value: { ...input, bitmaps: rest } });
  return moves;
}

/**
 * Simpler measure cases: a simpler input (source or --size), the target
 * toward raw, one -o option fewer. Invalid option combinations are part of
 * the arbitrary (both tools must refuse them), so any option may go.
 */
export function simplifyMeasureCase(measureCase: MeasureCase): readonly Simplification<MeasureCase>[] {
  const { target } = measureCase;
  const moves: Simplification<MeasureCase>[] = lift(simplerInputs(measureCase.input), '', (input) => ({ ...measureCase, input }));
  if (target.format !== 'raw') {
    // raw draws preallocation from the same field as qcow2, so it stays.
    const options = target.options.filter(([key]) => key === 'preallocation');
    moves.push({ move: `target ${target.format} → raw`, value: { ...measureCase, target: { format: 'raw', options } } });
  }
  for (const { index, rest } of dropEach(target.options)) {
    moves.push({ move: `drop option ${target.options[index]![0]}`, value: { ...measureCase, target: { format: target.format, options: rest } } });
  }
  return moves;
}

/** [the source's (zeros for --size), bitmaps, --size value (0 for a source), target (raw 0), option count]. */
export function measureCaseComplexity(measureCase: MeasureCase): Complexity {
  const { input, target } = measureCase;
  const source = input.kind === 'source' ? imageSpecComplexity(input.source) : new Array<number>(IMAGE_SPEC_COMPLEXITY_LENGTH).fill(0);
  return [
    ...source,
    input.kind === 'source' ? input.bitmaps.length : 0,
    // Past 2^53 the number is approximate, but never below a smaller band's minimum: the order holds.
    input.kind === 'size' ? Number(input.size) : 0,
    target.format === 'raw' ? 0 : 1,
    target.options.length,
  ];
}
