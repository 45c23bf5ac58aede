import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { infoCaseArbitrary } from '../arbitraries/info-case.ts';
import { checkInfoCase } from '../properties/info.ts';
import { infoEnv, scenarios } from './mutants/info.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';
import { mutantPath, toolsWithCandidate } from './support/tools.ts';

/**
 * Each mutant wraps qemu-img and injects one info bug. The info property
 * must catch it AND shrink to the minimal case the bug allows; "minimal" is
 * spelled out per mutant in test/mutants/info.scenarios.ts (shared with the
 * benchmark, which times the same hunts). The whitelist entry is tested both
 * ways: instar's documented refusal passes (below), the same refusal of a
 * partitioned raw file fails (a scenario).
 */
describe('info property against bug-injecting candidates', () => {
  testScenarios(scenarios);

  test("instar's documented refusal of raw files without a partition table is accepted, and only that", async () => {
    const env = infoEnv(await toolsWithCandidate(mutantPath('info-refuses-unpartitioned-raw.sh')));
    try {
      // Raw sources only: the entry's class and its partitioned neighbours.
      const rawCases = infoCaseArbitrary.filter((c) => c.source.layout.format === 'raw');
      await fc.assert(fc.asyncProperty(rawCases, (c) => checkInfoCase(env, c)), { seed: 4, numRuns: 40 });
      const eligible = env.stats.eligibleCounts.get('info-raw-without-partition-table') ?? 0;
      // Every eligible case was a refusal, and each one was accepted; the
      // partitioned raw files were not refused (else the property failed).
      expect(eligible).toBeGreaterThan(5);
      expect(eligible).toBeLessThan(40);
      expect(env.stats.hitCounts.get('info-raw-without-partition-table')).toBe(eligible);
    } finally {
      await env.images.dispose();
    }
  });
});
