import { describe } from 'vitest';
import { scenarios } from './mutants/resize.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one resize bug. The resize property must
 * catch it AND shrink to the minimal case the bug allows; "minimal" is spelled
 * out per mutant in test/mutants/resize.scenarios.ts. The whitelist entries'
 * narrowness is tested in test/resize-whitelist.test.ts.
 */
describe('resize property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
