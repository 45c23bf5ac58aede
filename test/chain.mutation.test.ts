import { describe } from 'vitest';
import { scenarios } from './mutants/chain.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';

/**
 * Each mutant wraps qemu-img and injects one rebase or commit bug. The chain
 * property must catch it AND shrink to the minimal sequence and chain the
 * bug allows; "minimal" is spelled out per mutant in
 * test/mutants/chain.scenarios.ts. The whitelist entries' narrowness is
 * tested in test/chain-whitelist.test.ts.
 */
describe('chain property against bug-injecting candidates', () => {
  testScenarios(scenarios);
});
