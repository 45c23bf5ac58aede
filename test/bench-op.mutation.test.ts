import { describe } from 'vitest';
import { scenarios } from './mutants/bench-op.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one bug into `bench` (the qemu-img
 * operation, not the suite's `npm run bench`). The bench property must catch
 * it AND shrink to the minimal case the bug allows; "minimal" is spelled out
 * per mutant in test/mutants/bench-op.scenarios.ts. The whitelist entry's
 * narrowness is tested in test/bench-op-whitelist.test.ts.
 */
describe('bench property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
