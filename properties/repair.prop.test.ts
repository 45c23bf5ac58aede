import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { repairCaseArbitrary, type RepairCase } from '../arbitraries/repair-case.ts';
import { simplifyRepairCase } from '../arbitraries/repair-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { checkRepairCase } from './repair.ts';
import { repairEnv } from './repair-env.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const env = repairEnv(context, context.timeoutMs, context.candidateTime);

afterAll(async () => {
  console.log(env.stats.summary());
  await env.dispose();
});

/**
 * Cases under `npm test` when FC_NUM_RUNS and FC_TIME_LIMIT are unset: each
 * case runs seven processes (a baseline check, two repairs, two checks and
 * two flattenings after them), 0.5 s on an idle 2-core machine and up to
 * 3 s on a loaded one, so 32 cases (16 s to 90 s) keep the suite inside its
 * 10 minutes while each of the eight fault-kind × tier classes still comes
 * up about four times. Campaigns run
 * as long as they are given (the campaign's settings win over this).
 */
const NPM_TEST_RUNS = 32;

const property = differentialProperty<RepairCase>({
  propertyFile: 'properties/repair.prop.test.ts',
  context,
  check: (repairCase) => checkRepairCase(env, repairCase),
  simplify: simplifyRepairCase,
  defaultNumRuns: NPM_TEST_RUNS,
});

test.prop([repairCaseArbitrary], property.parameters)(
  'check --repair: exact exit status, the repair report, a plain check after it and the content after it agree with qemu-img; the candidate never leaves an image worse than it found it',
  property.predicate,
  testTimeoutMs(context),
);
