import { describe } from 'vitest';
import { scenarios } from './mutants/map.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one map bug. The map property must
 * catch it AND shrink to the minimal case the bug allows; "minimal" is spelled
 * out per mutant in test/mutants/map.scenarios.ts. The whitelist entries'
 * narrowness is tested in test/map-whitelist.test.ts.
 */
describe('map property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
