import type { Simplifier } from '../arbitraries/simplification.ts';
import { FindingError } from '../reports/finding.ts';
import { sameSignature, signatureOf, type Signature } from '../reports/signature.ts';

export interface Reduction<T> {
  readonly value: T;
  /** The finding the reduced case gave (the original one when no move was kept). */
  readonly error: FindingError;
  /** The moves kept, in order. */
  readonly moves: readonly string[];
  /** Cases run to reduce. */
  readonly tries: number;
  /** True when a deadline or stop request cut the pass short: the case may not be 1-minimal. */
  readonly cutShort: boolean;
}

export interface ReduceOptions<T> {
  /** Asked before each try; true stops the pass with what it has. */
  readonly shouldStop?: () => boolean;
  /** Called with every kept (smaller) case, so an interrupted run can save it. */
  readonly onKept?: (value: T, error: FindingError) => void;
}

/**
 * After fast-check's shrink: tries each simplification move of the case and
 * keeps the first that still fails with the SAME signature, then starts over
 * from the simpler case, until no move applies. The result is 1-minimal
 * with respect to the moves: every single move either passes or fails
 * differently. Each move strictly simplifies, so the pass ends.
 */
export async function reduceCounterexample<T>(
  start: { readonly value: T; readonly error: FindingError },
  simplify: Simplifier<T>,
  check: (value: T) => Promise<void>,
  options: ReduceOptions<T> = {},
): Promise<Reduction<T>> {
  const target: Signature = signatureOf(start.error.finding);
  let current = start;
  const moves: string[] = [];
  let tries = 0;
  for (;;) {
    let kept = false;
    for (const candidate of simplify(current.value)) {
      if (options.shouldStop?.() === true) return { ...current, moves, tries, cutShort: true };
      tries++;
      const error = await failureOf(check, candidate.value);
      if (error === undefined || !sameSignature(signatureOf(error.finding), target)) continue;
      current = { value: candidate.value, error };
      moves.push(candidate.move);
      options.onKept?.(candidate.value, error);
      kept = true;
      break;
    }
    if (!kept) return { ...current, moves, tries, cutShort: false };
  }
}

/** The finding a case fails with, or undefined when it passes or the suite could not run it. */
export async function failureOf<T>(check: (value: T) => Promise<void>, value: T): Promise<FindingError | undefined> {
  try {
    await check(value);
    return undefined;
  } catch (error) {
    return error instanceof FindingError ? error : undefined;
  }
}
