import { describe } from 'vitest';
import { scenarios } from './mutants/repair.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one check --repair bug. The repair
 * property must catch it AND shrink to the minimal case the bug allows
 * (test/mutants/repair.scenarios.ts). The whitelist entries' narrowness is
 * tested in test/repair-whitelist.test.ts.
 */
describe('repair property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
