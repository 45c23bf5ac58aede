import type { BenchOpCase } from './bench-op-case.ts';
import { imageSpecComplexity, simplifyImageSpec } from './image-spec-simplify.ts';
import { lift, type Complexity, type Simplification } from './simplification.ts';

/**
 * Smaller values of a number down to `floor`: the floor itself, then half
 * the distance. No "one less" step: chains of moves stay short (halving is
 * logarithmic).
 */
function smaller(value: number, floor: number): number[] {
  if (value <= floor) return [];
  return [...new Set([floor, floor + Math.floor((value - floor) / 2)])].filter((v) => v < value);
}

/** A buffer size simpler than `size`: one sector, one byte, half (sectors kept whole). */
function smallerBuffers(size: number): number[] {
  const half = size % 512 === 0 && size > 512 ? Math.floor(size / 1024) * 512 : Math.floor(size / 2);
  return [...new Set([512, 1, half])].filter((v) => v >= 1 && v < size);
}

/** Simpler bench cases: a simpler source, fewer and smaller requests, the default step, offset 0, no flush, reading. */
export function simplifyBenchOpCase(benchCase: BenchOpCase): readonly Simplification<BenchOpCase>[] {
  const moves: Simplification<BenchOpCase>[] = lift(simplifyImageSpec(benchCase.source), 'source ', (source) => ({ ...benchCase, source }));
  const numeric = (field: 'count' | 'depth' | 'step' | 'pattern' | 'offsetPermille', floor: number): void => {
    for (const value of smaller(benchCase[field], floor)) moves.push({ move: `${field} ${benchCase[field]} → ${value}`, value: { ...benchCase, [field]: value } });
  };
  numeric('count', 1);
  numeric('depth', 1);
  for (const bufferSize of smallerBuffers(benchCase.bufferSize)) moves.push({ move: `buffer ${benchCase.bufferSize} → ${bufferSize}`, value: { ...benchCase, bufferSize } });
  numeric('step', 0);
  numeric('offsetPermille', 0);
  numeric('pattern', 0);
  const { flush } = benchCase;
  if (flush !== null) {
    moves.push({ move: 'flush interval → left out', value: { ...benchCase, flush: null } });
    if (!flush.drain) moves.push({ move: '--no-drain → left out', value: { ...benchCase, flush: { ...flush, drain: true } } });
    for (const interval of smaller(flush.interval, 0)) moves.push({ move: `flush interval ${flush.interval} → ${interval}`, value: { ...benchCase, flush: { ...flush, interval } } });
  }
  if (benchCase.write) moves.push({ move: '-w → read', value: { ...benchCase, write: false } });
  return moves;
}

/** The source's, then [count, depth, buffer size, step, offset, pattern, flush, no-drain, flush interval, write]. */
export function benchOpCaseComplexity(benchCase: BenchOpCase): Complexity {
  const { flush } = benchCase;
  return [
    ...imageSpecComplexity(benchCase.source),
    benchCase.count,
    benchCase.depth,
    benchCase.bufferSize,
    benchCase.step,
    benchCase.offsetPermille,
    benchCase.pattern,
    flush === null ? 0 : 1,
    flush !== null && !flush.drain ? 1 : 0,
    flush?.interval ?? 0,
    benchCase.write ? 1 : 0,
  ];
}
