import fc from 'fast-check';
import type { Simplifier } from '../../arbitraries/simplification.ts';
import { KnownSignatures } from '../../hunting/known-signatures.ts';
import { failureOf, reduceCounterexample } from '../../hunting/reduce.ts';
import { SignatureGate } from '../../hunting/signature-gate.ts';
import { FindingError, type Finding } from '../../reports/finding.ts';
import { sameSignature, signatureOf } from '../../reports/signature.ts';

export interface Counterexample<T> {
  readonly value: T;
  readonly finding: Finding;
  readonly numShrinks: number;
  readonly numRuns: number;
  /** Simplification moves the reduction pass kept after fast-check's shrink. */
  readonly moves: readonly string[];
}

export interface HuntOptions<T> {
  readonly seed: number;
  readonly numRuns: number;
  /** The property's simplification moves: the shrunk case is reduced as the property runner does. */
  readonly simplify?: Simplifier<T>;
  /** Cases run first (as the corpus is in a real run); fast-check cannot shrink them, the reduction pass can. */
  readonly examples?: readonly T[];
}

/**
 * Runs a property's check against whatever candidate `check` closes over, as
 * the property runner does (the first new signature locked, then fast-check's
 * shrink, then the reduction pass) and returns the REDUCED counterexample.
 * Fails loudly when the property passes (the injected bug went unseen) or
 * breaks for a reason other than a finding.
 */
export async function findCounterexample<T>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
  options: HuntOptions<T>,
): Promise<Counterexample<T>> {
  const predicate = new SignatureGate(new KnownSignatures()).predicate(check);
  const details = await fc.check(fc.asyncProperty(arbitrary, predicate), {
    seed: options.seed,
    numRuns: options.numRuns,
    endOnFailure: false,
    examples: (options.examples ?? []).map((e): [T] => [e]),
  });
  if (!details.failed || details.counterexample === null) {
    throw new Error(`the property passed ${details.numRuns} case(s): the injected bug was not caught`);
  }
  const error = details.errorInstance;
  if (!(error instanceof FindingError)) {
    throw new Error(`the property failed without a finding: ${error instanceof Error ? error.message : String(error)}`);
  }
  const start = { value: details.counterexample[0], error };
  const reduced = options.simplify === undefined ? { ...start, moves: [] } : await reduceCounterexample(start, options.simplify, predicate);
  return { value: reduced.value, finding: reduced.error.finding, numShrinks: details.numShrinks, numRuns: details.numRuns, moves: reduced.moves };
}

/**
 * The moves that still fail with the counterexample's signature: empty when
 * the case is 1-minimal under them. Runs the check once per move.
 */
export async function movesThatStillFail<T>(found: Counterexample<T>, simplify: Simplifier<T>, check: (value: T) => Promise<void>): Promise<string[]> {
  const target = signatureOf(found.finding);
  const failing: string[] = [];
  for (const candidate of simplify(found.value)) {
    const error = await failureOf(check, candidate.value);
    if (error !== undefined && sameSignature(signatureOf(error.finding), target)) failing.push(candidate.move);
  }
  return failing;
}
