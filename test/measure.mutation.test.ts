import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkMeasureCase } from '../properties/measure.ts';
import { measureEnv } from '../properties/measure-env.ts';
import { skippedCount } from '../properties/check-summary.ts';
import { scenarios, selfCheckedArbitrary } from './mutants/measure.scenarios.ts';
import { runReproOf } from './support/run-repro.ts';
import { calibrationTools, mutantPath, toolsWithCandidate } from './support/tools.ts';

/**
 * Each mutant wraps qemu-img. The measure property must catch the bug AND
 * shrink to the minimal case the bug allows; "minimal" is spelled out per
 * mutant in test/mutants/measure.scenarios.ts (shared with the benchmark,
 * which times the same hunts).
 */
describe('measure property against bug-injecting candidates', () => {
  for (const scenario of scenarios) {
    test(scenario.title, async () => {
      const { found, minimal } = await scenario.hunt({ seed: scenario.seed, numRuns: scenario.numRuns });
      for (const expectation of minimal) expect(expectation.allowed, expectation.what).toContainEqual(expectation.actual);
      if (scenario.reproShows === undefined) return;
      const repro = await runReproOf(found.finding, (await toolsWithCandidate(mutantPath(scenario.mutant))).candidate);
      for (const text of scenario.reproShows) expect(repro.output).toContain(text);
      expect(repro.code, repro.output).toBe(1);
    });
  }

  test('calibration: qemu-img refuses vmdk, vpc and vhdx targets, so every such case is skipped with a counted reason', async () => {
    const env = measureEnv(await calibrationTools(), 30_000);
    try {
      const details = await fc.check(fc.asyncProperty(selfCheckedArbitrary, (c) => checkMeasureCase(env, c)), { seed: 2, numRuns: 15 });
      expect(details.failed).toBe(false);
      expect(env.stats.runs).toBe(15);
      expect(skippedCount(env.stats, 'candidate does not measure')).toBe(15);
    } finally {
      await env.dispose();
    }
  });
});
