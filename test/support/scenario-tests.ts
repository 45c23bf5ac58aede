import { expect, test } from 'vitest';
import type { MutantScenario } from '../mutants/scenarios.ts';
import { runReproOf } from './run-repro.ts';
import { mutantPath, toolsWithCandidate } from './tools.ts';

/**
 * One test per scenario: the property must catch the mutant AND shrink to the
 * minimal case the scenario spells out; where the scenario says what its
 * repro.sh shows, that script must reproduce the divergence without Node.js.
 */
export function testScenarios(scenarios: readonly MutantScenario[]): void {
  for (const scenario of scenarios) {
    test(scenario.title, async () => {
      const { found, minimal, stillFailing } = await scenario.hunt({ seed: scenario.seed, numRuns: scenario.numRuns, checkOneMinimal: true });
      for (const expectation of minimal) expect(expectation.allowed, expectation.what).toContainEqual(expectation.actual);
      // 1-minimal: no single simplification move of the reported case still fails the same way.
      expect(stillFailing, 'simplification moves that still fail with the same signature').toEqual([]);
      if (scenario.reproShows === undefined) return;
      const repro = await runReproOf(found.finding, await toolsWithCandidate(mutantPath(scenario.mutant)));
      for (const text of scenario.reproShows) expect(repro.output).toContain(text);
      expect(repro.code, repro.output).toBe(1);
    });
  }
}
