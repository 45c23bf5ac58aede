import { describe } from 'vitest';
import { scenarios } from './mutants/create.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one create bug. The create
 * property must catch it AND shrink to the minimal triple; "minimal" is
 * spelled out per mutant in test/mutants/create.scenarios.ts (shared with
 * the benchmark, which times the same hunts).
 */
describe('create property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
