import { describe } from 'vitest';
import { scenarios } from './mutants/convert.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one convert bug. The convert
 * property must catch it AND shrink to the minimal case the bug allows;
 * "minimal" is spelled out per mutant in test/mutants/convert.scenarios.ts
 * (shared with the benchmark, which times the same hunts).
 */
describe('convert property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
