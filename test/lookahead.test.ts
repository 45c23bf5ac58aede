import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { infoCaseArbitrary, type InfoCase } from '../arbitraries/info-case.ts';
import { loadSuiteContext, type SuiteContext } from '../config/suite-context.ts';
import { CaseLookahead, DEADLINE_MARGIN_MS } from '../hunting/lookahead.ts';
import { differentialProperty } from '../hunting/property-runner.ts';
import { specKey } from '../images/image-spec.ts';
import { ImageCache } from '../images/materialise.ts';
import { predictedVirtualSize } from '../images/virtual-size.ts';
import { scratchDir } from '../images/scratch.ts';
import { FindingError } from '../reports/finding.ts';
import { exited, syntheticOutcome } from './support/synthetic-outcome.ts';
import { calibrationTools } from './support/tools.ts';

/**
 * The lookahead prepares the cases fast-check will try next (issue 12): it
 * must predict them exactly while a run goes as planned, stop at the first
 * surprise (shrinking, another arbitrary), and never change which value a
 * case checks.
 */

/** The values fast-check hands a property's predicate, in order. */
async function valuesOf<T>(arbitrary: fc.Arbitrary<T>, parameters: fc.Parameters<[T]>, failWhen: (value: T) => boolean = () => false): Promise<T[]> {
  const seen: T[] = [];
  await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      seen.push(value);
      if (failWhen(value)) throw new Error('fails');
    }),
    parameters,
  );
  return seen;
}

describe('the lookahead\'s plan', () => {
  test('is exactly the cases fast-check runs: the examples, then the seeded draws (info cases, past the first plan)', async () => {
    const examples = fc.sample(infoCaseArbitrary, { seed: 99, numRuns: 2 });
    const parameters = { seed: 7, numRuns: 70, examples: examples.map((e): [InfoCase] => [e]) };
    const run = await valuesOf(infoCaseArbitrary, parameters);
    expect(run).toHaveLength(70);
    const prepared: InfoCase[] = [];
    const lookahead = new CaseLookahead({ arbitrary: infoCaseArbitrary, prepare: (v) => prepared.push(v), depth: 2 }, { seed: 7, numRuns: 70, examples });
    for (const value of run) lookahead.seen(value);
    expect(lookahead.isActive).toBe(true);
    // Every case after the first was prepared before it came, and none past the run's end.
    expect(prepared).toEqual(run.slice(1));
  });

  test('stops at the first failure: shrinking\'s cases are not prepared', async () => {
    const arbitrary = fc.integer({ min: 0, max: 1000 });
    const parameters = { seed: 3, numRuns: 100 };
    const run = await valuesOf(arbitrary, parameters, (n) => n > 500);
    const failing = run.findIndex((n) => n > 500);
    expect(failing).toBeGreaterThan(0);
    const prepared: number[] = [];
    const lookahead = new CaseLookahead({ arbitrary, prepare: (n) => prepared.push(n) }, { ...parameters, examples: [] });
    for (const [index, value] of run.entries()) {
      lookahead.seen(value);
      if (index === failing) lookahead.failed();
    }
    // Up to the failing case, each case prepared its planned successor; then
    // nothing, though shrinking's cases follow.
    expect(run.length).toBeGreaterThan(failing + 1);
    expect(prepared).toEqual(fc.sample(arbitrary, { ...parameters, numRuns: failing + 2 }).slice(1));
    expect(lookahead.isActive).toBe(false);
  });

  test('a case off the plan ends it: nothing more is prepared', () => {
    const arbitrary = fc.integer();
    const plan = fc.sample(arbitrary, { seed: 5, numRuns: 10 });
    const prepared: number[] = [];
    const lookahead = new CaseLookahead({ arbitrary, prepare: (n) => prepared.push(n) }, { seed: 5, numRuns: 10, examples: [] });
    lookahead.seen(plan[0] ?? 0);
    lookahead.seen((plan[1] ?? 0) + 1);
    lookahead.seen(plan[2] ?? 0);
    expect(prepared).toEqual([plan[1]]);
    expect(lookahead.isActive).toBe(false);
  });
});

test('prepares nothing in the last second before a campaign\'s deadline', () => {
  const arbitrary = fc.integer();
  const plan = fc.sample(arbitrary, { seed: 5, numRuns: 3 });
  const prepared: number[] = [];
  const run = { seed: 5, numRuns: 3, examples: [], deadline: Date.now() + DEADLINE_MARGIN_MS / 2 };
  const lookahead = new CaseLookahead({ arbitrary, prepare: (n) => prepared.push(n) }, run);
  for (const value of plan) lookahead.seen(value);
  expect(prepared).toEqual([]);
  // Still following the plan: only the preparation is left out.
  expect(lookahead.isActive).toBe(true);
  const early = new CaseLookahead({ arbitrary, prepare: (n) => prepared.push(n) }, { ...run, deadline: Date.now() + 60_000 });
  for (const value of plan) early.seen(value);
  expect(prepared).toEqual(plan.slice(1));
});

describe('the lookahead in a differential property', () => {
  let scratch: { path: string; cleanup: () => Promise<void> };
  let context: SuiteContext;
  beforeAll(async () => {
    scratch = await scratchDir('lookahead-test');
    const env: Record<string, string | undefined> = { ...process.env, FINDINGS_DIR: join(scratch.path, 'findings') };
    for (const v of ['FC_SEED', 'FC_PATH', 'FC_NUM_RUNS', 'FC_TIME_LIMIT', 'CAMPAIGN_RUN_DIR', 'CORPUS_REPLAY']) delete env[v];
    context = await loadSuiteContext(env);
  });
  afterAll(() => scratch.cleanup());

  test('a mispredicting lookahead changes nothing the check sees; a path replay takes no lookahead', async () => {
    const arbitrary = fc.integer({ min: 0, max: 1 << 20 });
    const overrides = { seed: 11, numRuns: 20 };
    const expected = await valuesOf(arbitrary, overrides);
    const checked: number[] = [];
    const prepared: number[] = [];
    // The lookahead plans another arbitrary's cases: its first guess is wrong.
    const property = differentialProperty<number>({
      propertyFile: 'properties/numbers.prop.test.ts',
      context,
      corpus: false,
      overrides,
      check: async (n) => void checked.push(n),
      lookahead: { arbitrary: arbitrary.map((n) => n + 1), prepare: (n) => prepared.push(n) },
    });
    await fc.assert(fc.asyncProperty(arbitrary, property.predicate), property.parameters);
    expect(checked).toEqual(expected);
    expect(prepared).toEqual([]);

    const replay = differentialProperty<number>({
      propertyFile: 'properties/numbers.prop.test.ts',
      context: { ...context, fastCheck: { ...context.fastCheck, seed: 11, path: '3' } },
      corpus: false,
      check: async () => undefined,
      lookahead: { arbitrary, prepare: (n) => prepared.push(n) },
    });
    await fc.assert(fc.asyncProperty(arbitrary, replay.predicate), replay.parameters);
    expect(prepared).toEqual([]);
  });

  test('a finding still shrinks to the same case as without the lookahead', async () => {
    const arbitrary = fc.integer({ min: 0, max: 1 << 20 });
    const finding = (n: number) => {
      const outcome = syntheticOutcome(exited(0));
      return new FindingError({
        operation: 'dd',
        caseValue: n,
        caseInWords: `${n}`,
        divergence: { kind: 'content', summary: 'big', detail: '', data: {} },
        reference: outcome,
        candidate: outcome,
        inputClasses: [],
        repro: { inputs: [], referenceArgs: [], candidateArgs: [], compare: [] },
      });
    };
    const check = async (n: number): Promise<void> => {
      if (n >= 1000) throw finding(n);
    };
    const shrunk = async (withLookahead: boolean): Promise<unknown> => {
      const prepared: number[] = [];
      const property = differentialProperty<number>({
        propertyFile: 'properties/numbers.prop.test.ts',
        context,
        corpus: false,
        overrides: { seed: 4, numRuns: 50, asyncReporter: async () => undefined },
        check,
        ...(withLookahead ? { lookahead: { arbitrary, prepare: (n: number) => prepared.push(n) } } : {}),
      });
      const details = await fc.check(fc.asyncProperty(arbitrary, property.predicate), property.parameters);
      if (withLookahead) expect(prepared.length).toBeGreaterThan(0);
      return [details.counterexample, details.counterexamplePath, details.numShrinks];
    };
    const plain = await shrunk(false);
    expect((plain as [number[]])[0]).toEqual([1000]);
    expect(await shrunk(true)).toEqual(plain);
  });

  test('info: a source prepared for a case that never comes leaves the real case to build its own', async () => {
    const tools = await calibrationTools();
    const images = new ImageCache({ qemuImg: tools.reference.command[0] ?? 'qemu-img', qemuIo: tools.qemuIo, timeoutMs: 30_000 });
    try {
      const [predicted, actual] = fc.sample(infoCaseArbitrary, { seed: 21, numRuns: 40 }).filter((c, i, all) => all.findIndex((o) => specKey(o.source) === specKey(c.source)) === i);
      if (predicted === undefined || actual === undefined) throw new Error('the sample needs two sources');
      void images.get(predicted.source).catch(() => undefined);
      const built = await images.get(actual.source);
      expect(built.spec).toEqual(actual.source);
      expect(built.virtualSize).toBe(predictedVirtualSize(actual.source));
      expect((await images.get(predicted.source)).path).not.toBe(built.path);
      expect(images.size).toBe(2);
    } finally {
      await images.dispose();
    }
  });
});
