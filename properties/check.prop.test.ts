import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { checkCaseArbitrary, type CheckCase } from '../arbitraries/check-case.ts';
import { simplifyCheckCase } from '../arbitraries/check-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { checkCheckCase } from './check.ts';
import { checkEnv } from './check-env.ts';
import { skippedSummary } from './check-summary.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const env = checkEnv(context, context.timeoutMs, context.candidateTime);

afterAll(async () => {
  console.log([env.stats.summary(), ...skippedSummary(env.stats)].join('\n'));
  await env.dispose();
});

/**
 * 60 cases under `npm test` (FC_NUM_RUNS unset), not the suite's 100, so
 * that npm test stays under 10 minutes on two cores with thirteen
 * properties: 60 still meet every fault kind (leak, refcount zero or too
 * high, stale COPIED) and clean images of each format several times (the
 * check mutation tests hunt each fault on purpose). Campaigns run as long as
 * their budget.
 */
const NPM_TEST_RUNS = 60;

const property = differentialProperty<CheckCase>({
  propertyFile: 'properties/check.prop.test.ts',
  defaultNumRuns: NPM_TEST_RUNS,
  context,
  check: (checkCase) => checkCheckCase(env, checkCase),
  simplify: simplifyCheckCase,
});

test.prop([checkCaseArbitrary], property.parameters)(
  'check: exit codes agree exactly and so do the JSON report fields, on clean and corrupted images',
  property.predicate,
  testTimeoutMs(context),
);
