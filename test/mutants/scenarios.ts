import type { Counterexample } from '../support/find-counterexample.ts';

/**
 * Bug-injecting candidates as data, shared by the mutation tests (which
 * assert that the shrunk counterexample is minimal) and the benchmark (which
 * times how long finding and shrinking it takes). A property adds its
 * scenarios in test/mutants/<property>.scenarios.ts, exporting `scenarios`.
 */

/** One thing "minimal" means: the counterexample's `actual` must be one of `allowed`. */
export interface Expectation {
  readonly what: string;
  readonly actual: unknown;
  readonly allowed: readonly unknown[];
}

export const is = (what: string, actual: unknown, expected: unknown): Expectation => ({ what, actual, allowed: [expected] });
export const oneOf = (what: string, actual: unknown, allowed: readonly unknown[]): Expectation => ({ what, actual, allowed });

export function unmet(expectations: readonly Expectation[]): Expectation[] {
  return expectations.filter((e) => !e.allowed.some((a) => JSON.stringify(a) === JSON.stringify(e.actual)));
}

export interface Hunt {
  readonly found: Counterexample<unknown>;
  readonly minimal: readonly Expectation[];
}

export interface MutantScenario {
  readonly property: string;
  readonly title: string;
  /** The script in test/mutants/. */
  readonly mutant: string;
  /** The seed and run count the mutation test uses. */
  readonly seed: number;
  readonly numRuns: number;
  /** Runs the property against the mutant: the shrunk counterexample and what minimal means for it. */
  readonly hunt: (options: { seed: number; numRuns: number }) => Promise<Hunt>;
}
