import fc from 'fast-check';
import { FindingError, type Finding } from '../../reports/finding.ts';

export interface Counterexample<T> {
  readonly value: T;
  readonly finding: Finding;
  readonly numShrinks: number;
  readonly numRuns: number;
}

/**
 * Runs a property's check against whatever candidate `check` closes over and
 * returns the SHRUNK counterexample. Fails loudly when the property passes
 * (the injected bug went unseen) or breaks for a reason other than a finding.
 */
export async function findCounterexample<T>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
  options: { seed: number; numRuns: number },
): Promise<Counterexample<T>> {
  const details = await fc.check(fc.asyncProperty(arbitrary, check), {
    seed: options.seed,
    numRuns: options.numRuns,
    endOnFailure: false,
  });
  if (!details.failed || details.counterexample === null) {
    throw new Error(`the property passed ${details.numRuns} case(s): the injected bug was not caught`);
  }
  const error = details.errorInstance;
  if (!(error instanceof FindingError)) {
    throw new Error(`the property failed without a finding: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { value: details.counterexample[0], finding: error.finding, numShrinks: details.numShrinks, numRuns: details.numRuns };
}
