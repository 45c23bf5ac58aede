import { describe } from 'vitest';
import { scenarios } from './mutants/amend.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one amend bug. The amend property
 * must catch it AND shrink to the minimal case the bug allows
 * (test/mutants/amend.scenarios.ts).
 */
describe('amend property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
