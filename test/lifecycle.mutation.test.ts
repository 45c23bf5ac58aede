import { describe } from 'vitest';
import { scenarios } from './mutants/lifecycle.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one bug into a command of the life
 * cycle (two of them after instar's real snapshot bugs). The property must
 * catch it AND shrink to the fewest commands on the simplest base; "minimal"
 * is spelled out per mutant in test/mutants/lifecycle.scenarios.ts.
 */
describe('life-cycle property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
