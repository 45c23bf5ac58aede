import fc from 'fast-check';

/**
 * What a property's generator must keep producing, checked without running
 * any tool: a sample of generated values is classified with pure functions
 * and each important class must reach its minimum share. An arbitrary that
 * silently stops producing a class fails this check, not a campaign later.
 *
 * A property registers its goals in test/coverage/<property>.coverage.ts
 * (exporting `goals`); test/coverage.test.ts finds them.
 */
export interface CoverageGoal<T> {
  /** "dd", or "dd sources": names the test. */
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** The classes one value falls in. */
  readonly classify: (value: T) => readonly string[];
  /** Minimum share (0 to 1) of the sample, per class. */
  readonly minimumShare: Readonly<Record<string, number>>;
  /** Values sampled (default 2000). */
  readonly sampleSize?: number;
}

export interface CoverageMeasure {
  readonly sampled: number;
  readonly shares: ReadonlyMap<string, number>;
  /** Classes under their minimum: "target=vpc 3.1% < 5%". */
  readonly shortfalls: readonly string[];
}

/** Type-erased, so goals over different value types sit in one list. */
export interface RegisteredGoal {
  readonly name: string;
  readonly measure: (seed: number) => CoverageMeasure;
}

export function coverageGoal<T>(goal: CoverageGoal<T>): RegisteredGoal {
  return { name: goal.name, measure: (seed) => measureCoverage(goal, seed) };
}

export function measureCoverage<T>(goal: CoverageGoal<T>, seed: number): CoverageMeasure {
  const values = fc.sample(goal.arbitrary, { numRuns: goal.sampleSize ?? 2000, seed });
  const counts = new Map<string, number>();
  for (const value of values) {
    for (const label of new Set(goal.classify(value))) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const shares = new Map([...counts].map(([label, n]) => [label, n / values.length]));
  const shortfalls = Object.entries(goal.minimumShare)
    .filter(([label, minimum]) => (shares.get(label) ?? 0) < minimum)
    .map(([label, minimum]) => `${label} ${(100 * (shares.get(label) ?? 0)).toFixed(1)}% < ${(100 * minimum).toFixed(1)}%`);
  return { sampled: values.length, shares, shortfalls };
}
