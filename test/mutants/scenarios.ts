import type fc from 'fast-check';
import type { Simplifier } from '../../arbitraries/simplification.ts';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { findCounterexample, movesThatStillFail, type Counterexample } from '../support/find-counterexample.ts';
import { mutantPath, toolsWithCandidate } from '../support/tools.ts';

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

/** JSON text for comparing expectations; bigints (exact figures past 2^53) as `123n`. */
export function comparable(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item}n` : item));
}

export function unmet(expectations: readonly Expectation[]): Expectation[] {
  return expectations.filter((e) => !e.allowed.some((a) => comparable(a) === comparable(e.actual)));
}

export interface Hunt {
  readonly found: Counterexample<unknown>;
  readonly minimal: readonly Expectation[];
  /**
   * Simplification moves that still fail with the reported signature: empty
   * when the reported case is 1-minimal under the property's moves. Only
   * computed when asked (it runs the check once per move).
   */
  readonly stillFailing?: readonly string[];
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
  readonly hunt: (options: { seed: number; numRuns: number; checkOneMinimal?: boolean }) => Promise<Hunt>;
  /**
   * When set, what the finding's repro.sh must print (exiting 1) to show the
   * same divergence without Node.js. The mutation test runs it; the
   * benchmark times only the hunt.
   */
  readonly reproShows?: readonly string[];
}

/** What every scenario of one property shares: how to run its cases against a mutant. */
export interface PropertyHarness<C, E> {
  readonly property: string;
  /** The cases hunted unless a scenario names a narrower class. */
  readonly arbitrary: fc.Arbitrary<C>;
  readonly makeEnv: (tools: ResolvedTools, toolTimeoutMs: number | undefined) => E;
  readonly check: (env: E, value: C) => Promise<void>;
  /** The property's simplification moves (as its prop file gives the property runner). */
  readonly simplify?: Simplifier<C>;
  /** Removes the environment's files. */
  readonly dispose: (env: E) => Promise<void>;
}

/** One mutant, the hunt's seed and budget, and what "minimal" means for it. */
export interface ScenarioSpec<C, E> {
  readonly title: string;
  readonly mutant: string;
  readonly seed: number;
  readonly numRuns: number;
  /** Per tool call; a hang costs this much per case. */
  readonly toolTimeoutMs?: number;
  /** The cases hunted, when the bug lives in a narrower class than the property's. */
  readonly arbitrary?: fc.Arbitrary<C>;
  /** Cases run first, as corpus examples are (fast-check cannot shrink them; the reduction pass can). */
  readonly examples?: readonly C[];
  /** Evaluated before the environment is disposed, so it may still read it. */
  readonly minimal: (found: Counterexample<C>, env: E) => Expectation[] | Promise<Expectation[]>;
  readonly reproShows?: readonly string[];
}

export function mutantScenario<C, E>(harness: PropertyHarness<C, E>, s: ScenarioSpec<C, E>): MutantScenario {
  return {
    property: harness.property,
    title: s.title,
    mutant: s.mutant,
    seed: s.seed,
    numRuns: s.numRuns,
    ...(s.reproShows === undefined ? {} : { reproShows: s.reproShows }),
    hunt: async ({ seed, numRuns, checkOneMinimal = false }) => {
      const env = harness.makeEnv(await toolsWithCandidate(mutantPath(s.mutant)), s.toolTimeoutMs);
      const check = (c: C): Promise<void> => harness.check(env, c);
      try {
        const found = await findCounterexample(s.arbitrary ?? harness.arbitrary, check, {
          seed,
          numRuns,
          ...(harness.simplify === undefined ? {} : { simplify: harness.simplify }),
          ...(s.examples === undefined ? {} : { examples: s.examples }),
        });
        const stillFailing = checkOneMinimal && harness.simplify !== undefined ? await movesThatStillFail(found, harness.simplify, check) : undefined;
        return { found, minimal: await s.minimal(found, env), ...(stillFailing === undefined ? {} : { stillFailing }) };
      } finally {
        await harness.dispose(env);
      }
    },
  };
}
