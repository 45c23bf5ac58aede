import { describe } from 'vitest';
import { scenarios } from './mutants/dd.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one realistic dd bug. The dd
 * property must catch it AND shrink to the minimal case the bug allows;
 * "minimal" is spelled out per mutant in test/mutants/dd.scenarios.ts
 * (shared with the benchmark, which times the same hunts).
 */
describe('dd property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
