import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { benchOpCaseArbitrary, type BenchOpCase } from '../arbitraries/bench-op-case.ts';
import { simplifyBenchOpCase } from '../arbitraries/bench-op-case-simplify.ts';
import { suiteContext } from '../config/suite-context.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkBenchOpCase } from './bench-op.ts';
import { differentialProperty, testTimeoutMs } from '../hunting/property-runner.ts';

const context = await suiteContext();
const qemuImg = context.reference.command[0] ?? 'qemu-img';
const stats = new RunStats('bench');
const images = new ImageCache({ qemuImg, qemuIo: context.qemuIo, timeoutMs: context.timeoutMs });
const env = { reference: context.reference, candidate: context.candidate, timeoutMs: context.timeoutMs, candidateTime: context.candidateTime, images, stats };

afterAll(async () => {
  console.log(stats.summary());
  await images.dispose();
});

/**
 * Cases under `npm test` when neither FC_NUM_RUNS nor FC_TIME_LIMIT is set:
 * 40, not the suite's 100. A bench case builds a source of up to 4 MiB,
 * copies it twice, runs both tools, then flattens both results and checks
 * both after -w: about 0.3 s on the 2-core machine (see the closing
 * measurement). 40 still meets reads and writes, small-cluster qcow2 and
 * wrapped schedules several times; campaigns run as long as their budget.
 */
const NPM_TEST_RUNS = 40;

const property = differentialProperty<BenchOpCase>({
  defaultNumRuns: NPM_TEST_RUNS,
  propertyFile: 'properties/bench-op.prop.test.ts',
  context,
  check: (benchCase) => checkBenchOpCase(env, benchCase),
  simplify: simplifyBenchOpCase,
});

test.prop([benchOpCaseArbitrary], property.parameters)(
  "bench (the qemu-img operation): same exit status; when both run, the same printed lines but timings, qemu-img meets the bench model (the pattern over every request after -w) and the candidate's image reads the same and checks as clean",
  property.predicate,
  testTimeoutMs(context),
);
