import fc from 'fast-check';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addToCorpus, listCorpus, readCorpusSelection, selectCorpus } from '../hunting/corpus.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { loadSuiteContext, type SuiteContext } from '../config/suite-context.ts';
import { scratchDir } from '../images/scratch.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { differentialProperty, type PropertyRun } from '../hunting/property-runner.ts';
import { FindingError, type Finding } from '../reports/finding.ts';
import { exited, syntheticOutcome } from './support/synthetic-outcome.ts';
import { configErrorOf } from './support/config-error-of.ts';

let scratch: { path: string; cleanup: () => Promise<void> };
let context: SuiteContext;
let dirCounter = 0;
beforeAll(async () => {
  scratch = await scratchDir('corpus-test');
  const env: Record<string, string | undefined> = { ...process.env, FINDINGS_DIR: join(scratch.path, 'findings') };
  for (const v of ['FC_SEED', 'FC_PATH', 'FC_NUM_RUNS', 'FC_TIME_LIMIT', 'CAMPAIGN_RUN_DIR', 'CORPUS_REPLAY']) delete env[v];
  context = await loadSuiteContext(env);
});
afterAll(() => scratch.cleanup());

function freshDir(): string {
  const dir = join(scratch.path, `corpus-${dirCounter++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A made-up finding, thrown by a made-up property over integers. */
function findingFor(value: number, classes: string[] = ['parity=even']): Finding {
  const outcome = syntheticOutcome(exited(0));
  return {
    operation: 'dd',
    caseValue: value,
    caseInWords: `the number ${value}`,
    // The classes stand for where the outputs differ: they make the signature.
    divergence: { kind: 'content', summary: `content differs for ${value}`, detail: '', data: { paths: classes } },
    reference: outcome,
    candidate: outcome,
    inputClasses: classes,
    repro: { inputs: [], referenceArgs: [], candidateArgs: [], compare: [] },
  };
}

const PROPERTY_FILE = 'properties/numbers.prop.test.ts';

/** A made-up property over integers, wired like a real one. */
function numbersProperty(
  run: Omit<PropertyRun<number>, 'propertyFile' | 'context' | 'check'> & { context?: SuiteContext },
  arbitrary: fc.Arbitrary<number>,
  check: (n: number) => Promise<void>,
): { examples: unknown; result: Promise<void> } {
  const property = differentialProperty<number>({ propertyFile: PROPERTY_FILE, context, ...run, check });
  return { examples: property.parameters.examples, result: fc.assert(fc.asyncProperty(arbitrary, property.predicate), property.parameters) };
}

async function failureOf(run: Promise<unknown>): Promise<Error> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof Error)) throw new Error('the property passed');
  return error;
}

describe('run counts', () => {
  test('a property may ask for fewer cases under npm test; FC_NUM_RUNS still wins', async () => {
    const base = { propertyFile: PROPERTY_FILE, check: async () => undefined, corpus: false as const };
    expect(differentialProperty<number>({ ...base, context }).parameters.numRuns).toBe(100);
    expect(differentialProperty<number>({ ...base, context, defaultNumRuns: 40 }).parameters.numRuns).toBe(40);
    const given = { ...context, fastCheck: { ...context.fastCheck, numRuns: 7 } };
    expect(differentialProperty<number>({ ...base, context: given, defaultNumRuns: 40 }).parameters.numRuns).toBe(7);
  });
});

describe('corpus files', () => {
  test('a malformed file is an error naming the file and the fix', () => {
    const root = freshDir();
    mkdirSync(join(root, 'dd'));
    writeFileSync(join(root, 'dd', 'broken.json'), '{"case": ');
    const broken = configErrorOf(() => listCorpus(root, 'dd'));
    expect(broken.variable).toBe(join(root, 'dd', 'broken.json'));
    expect(broken.message).toMatch(/is not a valid corpus example \(.*JSON.*\); fix it, or remove it with: npm run corpus -- remove /);
    writeFileSync(join(root, 'dd', 'broken.json'), '{"property": "dd"}');
    expect(configErrorOf(() => listCorpus(root, 'dd')).message).toContain('it needs an object with a "case" field');
    writeFileSync(join(root, 'dd', 'broken.json'), '{"property": "convert", "case": 1}');
    expect(configErrorOf(() => listCorpus(root, 'dd')).message).toContain('belongs to property "convert" but sits in corpus/dd/');
  });

  test('adding is idempotent per case, atomic, and sorted on reading; other files are ignored', () => {
    const root = freshDir();
    const entry = { property: 'dd', signature: 'dd-content-00000000', summary: 's', from: 'test' };
    const first = addToCorpus(root, { ...entry, case: { b: 2 } });
    const again = addToCorpus(root, { ...entry, signature: 'dd-content-11111111', case: { b: 2 } });
    addToCorpus(root, { ...entry, case: { a: 1 } });
    writeFileSync(join(root, 'dd', 'notes.txt'), 'not an example');
    expect(first.added).toBe(true);
    expect(again).toEqual({ file: first.file, added: false });
    expect(readdirSync(join(root, 'dd')).filter((n) => n.includes('partial'))).toEqual([]);
    const names = listCorpus(root, 'dd').map((e) => e.name);
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(2);
  });

  test('CORPUS_REPLAY: unset is all, "none" is none, names pick examples, an unknown name is an error', () => {
    const root = freshDir();
    const { file } = addToCorpus(root, { property: 'dd', signature: 'dd-content-00000000', summary: '', from: '', case: 1 });
    const name = file.split('/').pop() as string;
    expect(readCorpusSelection({})).toEqual({ kind: 'all' });
    expect(selectCorpus(root, 'dd', readCorpusSelection({ CORPUS_REPLAY: 'none' }))).toEqual([]);
    expect(selectCorpus(root, 'dd', readCorpusSelection({ CORPUS_REPLAY: name })).map((e) => e.case)).toEqual([1]);
    expect(configErrorOf(() => selectCorpus(root, 'dd', readCorpusSelection({ CORPUS_REPLAY: 'gone.json' }))).variable).toBe('CORPUS_REPLAY');
    expect(configErrorOf(() => readCorpusSelection({ CORPUS_REPLAY: '../etc/passwd' })).variable).toBe('CORPUS_REPLAY');
  });

  test('the committed corpus is well-formed', () => {
    const root = join(PROJECT_ROOT, 'corpus');
    const properties = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const p of properties) expect(() => listCorpus(root, p.name)).not.toThrow();
  });
});

describe('the corpus is replayed first, through fast-check examples', () => {
  test('a failing example is reported as such, with a replay command that runs that example alone', async () => {
    const root = freshDir();
    const { file } = addToCorpus(root, { property: 'numbers', signature: 'dd-content-x', summary: '', from: 'test', case: 1_000_001 });
    const seen: number[] = [];
    const run = numbersProperty({ corpus: root, overrides: { seed: 5, numRuns: 20 } }, fc.integer({ min: 0, max: 1000 }), async (n) => {
      seen.push(n);
      if (n > 1_000_000) throw new FindingError(findingFor(n));
    });
    expect(run.examples).toEqual([[1_000_001]]);
    const error = await failureOf(run.result);
    expect(seen[0]).toBe(1_000_001);
    expect(error.message).toContain(`(corpus example ${file})`);
    expect(error.message).toMatch(new RegExp(`Replay: (QEMU_REF=\\S+ )?CORPUS_REPLAY=${file.split('/').pop()} FC_SEED=5 FC_PATH=0 npx vitest run ${PROPERTY_FILE}$`, 'm'));
  });

  test('an example that passes again stays in the corpus as a regression test', async () => {
    const root = freshDir();
    addToCorpus(root, { property: 'numbers', signature: 'dd-content-x', summary: '', from: 'test', case: 7 });
    await numbersProperty({ corpus: root, overrides: { seed: 1, numRuns: 5 } }, fc.integer(), async () => undefined).result;
    expect(listCorpus(root, 'numbers').map((e) => e.case)).toEqual([7]);
  });

  test('a new finding lands in the corpus; a generated failure replays by a path without the corpus', async () => {
    const root = freshDir();
    addToCorpus(root, { property: 'numbers', signature: 'dd-content-x', summary: '', from: 'test', case: 3 });
    const run = numbersProperty({ corpus: root, overrides: { seed: 11, numRuns: 200 } }, fc.integer({ min: 0, max: 1000 }), async (n) => {
      if (n >= 500) throw new FindingError(findingFor(n, ['size=large']));
    });
    const error = await failureOf(run.result);
    // Shrunk to the boundary, and saved.
    expect(error.message).toContain('content differs for 500');
    const cases = listCorpus(root, 'numbers').map((e) => e.case as JsonValue);
    expect(cases).toContain(500);
    const path = /FC_PATH=([\d:]+)/.exec(error.message)?.[1];
    expect(error.message).not.toContain('CORPUS_REPLAY');
    // The printed path, without the corpus's one example, leads straight to 500.
    const replay = await fc.check(fc.property(fc.integer({ min: 0, max: 1000 }), (n) => n < 500), { seed: 11, path, numRuns: 200 });
    expect(replay.counterexample?.[0]).toBe(500);
  });
});

describe('a reduced case is replayed exactly', () => {
  /** Mapped without an unmapper: fast-check cannot shrink a given example of it, only the reduction pass can. */
  const boxed = fc.integer({ min: 0, max: 10 }).map((n) => ({ n }));
  const simplify = (c: { n: number }) => (c.n > 1 ? [{ move: `n ${c.n} → ${Math.floor(c.n / 2)}`, value: { n: Math.floor(c.n / 2) } }] : []);
  const check = async (c: { n: number }): Promise<void> => {
    if (c.n >= 500) throw new FindingError({ ...findingFor(c.n), caseValue: c });
  };

  test('the report names the moves, the corpus holds the reduced case, and its replay command runs exactly that case', async () => {
    const root = freshDir();
    const property = differentialProperty<{ n: number }>({
      propertyFile: PROPERTY_FILE,
      context,
      check,
      simplify,
      corpus: root,
      overrides: { seed: 3, numRuns: 5, examples: [[{ n: 2000 }]] },
    });
    const error = await failureOf(fc.assert(fc.asyncProperty(boxed, property.predicate), property.parameters));
    expect(error.message).toContain('Reduced after shrinking: n 2000 → 1000; n 1000 → 500');
    const replay = /^Replay: (.*)$/m.exec(error.message)?.[1] ?? '';
    const file = /CORPUS_REPLAY=(\S+)/.exec(replay)?.[1] ?? '';
    expect(replay).toMatch(/FC_SEED=3 FC_PATH=0 npx vitest run /);
    expect(listCorpus(root, 'numbers').find((e) => e.name === file)?.case).toEqual({ n: 500 });
    // The replay, as its variables set it up, runs the reduced case first and alone.
    const seen: number[] = [];
    const saved = process.env['CORPUS_REPLAY'];
    process.env['CORPUS_REPLAY'] = file;
    try {
      const again = differentialProperty<{ n: number }>({
        propertyFile: PROPERTY_FILE,
        context: { ...context, fastCheck: { seed: 3, path: '0', numRuns: undefined, timeLimitSeconds: undefined } },
        check: async (c) => {
          seen.push(c.n);
          await check(c);
        },
        simplify,
        corpus: root,
      });
      await failureOf(fc.assert(fc.asyncProperty(boxed, again.predicate), again.parameters));
    } finally {
      if (saved === undefined) delete process.env['CORPUS_REPLAY'];
      else process.env['CORPUS_REPLAY'] = saved;
    }
    expect(seen[0]).toBe(500);
  });
});

describe('deduplicated reports', () => {
  async function report(findingsDir: string, finding: Finding, seed: number): Promise<Error> {
    const run = numbersProperty(
      { context: { ...context, findingsDir }, corpus: false, overrides: { seed, numRuns: 1, examples: [[finding.caseValue as number]] } },
      fc.constant<number>(0),
      async (n) => {
        if (n === finding.caseValue) throw new FindingError(finding);
      },
    );
    return failureOf(run.result);
  }

  test('one folder per signature with a count and the smallest case; an index line per signature', async () => {
    const dir = join(freshDir(), 'findings');
    mkdirSync(dir);
    await report(dir, findingFor(123456), 1);
    const second = await report(dir, findingFor(42), 2);
    await report(dir, findingFor(999), 3);
    await report(dir, findingFor(7, ['parity=odd']), 4);
    expect(second.message).toMatch(/\(signature seen 2 times; the folder keeps the smallest case\)/);
    const folders = readdirSync(dir).filter((n) => !n.startsWith('.') && !n.startsWith('index'));
    expect(folders).toHaveLength(2);
    const even = folders.find((f) => JSON.parse(readFileSync(join(dir, f, 'signature.json'), 'utf8')).count === 3) as string;
    const record = JSON.parse(readFileSync(join(dir, even, 'signature.json'), 'utf8')) as { count: number; example: { case: number }; occurrences: unknown[] };
    expect(record.example.case).toBe(42);
    expect(record.occurrences).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(dir, even, 'report.json'), 'utf8')).case).toBe(42);
    const index = readFileSync(join(dir, 'index.txt'), 'utf8').trim().split('\n').slice(1);
    expect(index).toHaveLength(2);
    expect(index[0]).toMatch(new RegExp(`^ +3  ${even}/  dd content \\[parity=even\\]  — dd: content — content differs for 42$`));
  });

  test('shards merge: counts add up, the smallest case wins, one folder per signature', async () => {
    const { mergeFindingsDirs } = await import('../reports/index-merge.ts');
    const [a, b, into] = [freshDir(), freshDir(), join(freshDir(), 'merged')];
    await report(a, findingFor(300), 1);
    await report(a, findingFor(5, ['parity=odd']), 1);
    await report(b, findingFor(20), 2);
    await report(b, findingFor(40), 3);
    const merged = await mergeFindingsDirs([a, b], into);
    expect(merged.map((e) => [e.text, e.count])).toEqual([
      ['dd content [parity=even]', 3],
      ['dd content [parity=odd]', 1],
    ]);
    expect(JSON.parse(readFileSync(join(into, merged[0]?.folder ?? '', 'report.json'), 'utf8')).case).toBe(20);
  });
});
