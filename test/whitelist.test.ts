import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { DdCase, DdWindow } from '../arbitraries/dd-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools, type ResolvedTools } from '../config/resolve-tools.ts';
import type { Termination } from '../drivers/process-outcome.ts';
import type { ImageFormat } from '../images/image-spec.ts';
import { predictDd } from '../oracles/dd-model.ts';
import { divergence, type DivergenceKind, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkDdCase } from '../properties/dd.ts';
import { FindingError, type Finding } from '../reports/finding.ts';
import { ddWhitelist, matchWhitelist, type DdFacts } from '../whitelist.ts';
import { ddEnv } from './support/dd-env.ts';
import { exited, signaled, syntheticOutcome as run, timedOut } from './support/synthetic-outcome.ts';
import { mutantPath, toolsWithCandidate } from './support/tools.ts';

/** A 4 KiB raw source: eight 512-byte blocks. */
const SOURCE_SIZE = 4096;
const source = { layout: { format: 'raw' }, size: SOURCE_SIZE, extents: [] } as const;

type Operand = DdCase['count'];
const blocks = (n: number): Operand => ({ kind: 'blocks', n });
const absent: Operand = { kind: 'absent' };

/** Empty windows: count=0, skip exactly at the end, skip past the end. */
const EMPTY: ReadonlyArray<[string, Operand, Operand]> = [
  ['count=0', blocks(0), absent],
  ['skip at the end', absent, blocks(8)],
  ['skip past the end', absent, blocks(12)],
];

function ddCase(target: ImageFormat, count: Operand, skip: Operand): DdCase {
  return { source, target, bs: 512, count, skip };
}

function factsFor(c: DdCase): DdFacts {
  const n = (o: Operand): number | undefined => (o.kind === 'blocks' ? o.n : undefined);
  const window: DdWindow = { bs: c.bs, count: n(c.count), skip: n(c.skip) };
  return { ddCase: c, window, sourceVirtualSize: SOURCE_SIZE, prediction: predictDd(SOURCE_SIZE, window, c.target) };
}

function observation(kind: DivergenceKind, reference: Termination, candidate: Termination, data: Record<string, JsonValue> = {}): Observation {
  return { divergence: divergence(kind, 'synthetic', '', data), reference: run(reference), candidate: run(candidate) };
}

const entry = (id: string) => {
  const found = ddWhitelist.find((e) => e.id === id);
  if (found === undefined) throw new Error(`no whitelist entry ${id}`);
  return found;
};
const vmdk = entry('dd-empty-window-vmdk');
const vhdx = entry('dd-empty-window-vhdx');

/** The one signature each entry exists for, as the dd property observes it. */
const VMDK_SIGNATURE = observation('exit-status', exited(1), exited(0), { referenceExit: 1, candidateExit: 0, candidateVirtualSize: null });
const VHDX_SIGNATURE = observation('output-unreadable', exited(0), exited(0), { referenceVirtualSize: 0 });

describe('dd whitelist entries as data', () => {
  test('exactly the two documented entries, each with a reason, a source and a signature', () => {
    expect(ddWhitelist.map((e) => e.id)).toEqual(['dd-empty-window-vmdk', 'dd-empty-window-vhdx']);
    for (const e of ddWhitelist) {
      expect(e.operation).toBe('dd');
      expect(e.reason.length).toBeGreaterThan(20);
      expect(e.documentedAt).toContain('FACTS.md');
      expect(e.signature.length).toBeGreaterThan(10);
    }
  });

  test.each(EMPTY)('each applies to its own target with an empty window (%s), and to nothing else', (_name, count, skip) => {
    expect(vmdk.appliesTo(factsFor(ddCase('vmdk', count, skip)))).toBe(true);
    expect(vhdx.appliesTo(factsFor(ddCase('vhdx', count, skip)))).toBe(true);
    expect(vmdk.appliesTo(factsFor(ddCase('vhdx', count, skip)))).toBe(false);
    expect(vhdx.appliesTo(factsFor(ddCase('vmdk', count, skip)))).toBe(false);
    for (const other of ['raw', 'qcow2', 'vpc'] as const) {
      expect(ddWhitelist.some((e) => e.appliesTo(factsFor(ddCase(other, count, skip))))).toBe(false);
    }
  });

  test('neither applies to a non-empty window, even the last partial block', () => {
    for (const target of ['vmdk', 'vhdx'] as const) {
      for (const [count, skip] of [[blocks(1), absent], [absent, blocks(7)], [absent, absent]] as const) {
        expect(ddWhitelist.some((e) => e.appliesTo(factsFor(ddCase(target, count, skip))))).toBe(false);
      }
      // bs=1000 skip=4 leaves 96 bytes: not empty.
      expect(ddWhitelist.some((e) => e.appliesTo(factsFor({ ...ddCase(target, absent, blocks(4)), bs: 1000 })))).toBe(false);
    }
  });

  test('vmdk accepts its one signature and nothing else', () => {
    expect(vmdk.accepts(VMDK_SIGNATURE)).toBe(true);
    // An empty output qemu-img can open is the same outcome.
    expect(vmdk.accepts(observation('exit-status', exited(1), exited(0), { candidateVirtualSize: 0 }))).toBe(true);
    const rejected: Array<[string, Observation]> = [
      ['a readable output of the wrong size', observation('exit-status', exited(1), exited(0), { candidateVirtualSize: 1_048_576 })],
      ['no word on the output', observation('exit-status', exited(1), exited(0), {})],
      ['a crash', observation('candidate-crash', exited(1), signaled('SIGSEGV'), { signal: 'SIGSEGV' })],
      ['a hang', observation('candidate-timeout', exited(1), timedOut(30_000), { afterMs: 30_000 })],
      ['another reference exit code', observation('exit-status', exited(2), exited(0), { candidateVirtualSize: null })],
      ['the candidate failing while the reference succeeds', observation('exit-status', exited(0), exited(1))],
      ['the vhdx signature', VHDX_SIGNATURE],
    ];
    for (const [name, o] of rejected) expect(vmdk.accepts(o), name).toBe(false);
  });

  test('vhdx accepts its one signature and nothing else', () => {
    expect(vhdx.accepts(VHDX_SIGNATURE)).toBe(true);
    const rejected: Array<[string, Observation]> = [
      ['a readable output of the wrong size', observation('virtual-size', exited(0), exited(0), { referenceSize: 0, candidateSize: 512 })],
      ['an unreadable output where the reference has data', observation('output-unreadable', exited(0), exited(0), { referenceVirtualSize: 512 })],
      ['a crash', observation('candidate-crash', exited(0), signaled('SIGSEGV'), { signal: 'SIGSEGV' })],
      ['a hang', observation('candidate-timeout', exited(0), timedOut(30_000), { afterMs: 30_000 })],
      ['a failure exit', observation('exit-status', exited(0), exited(1), { referenceExit: 0, candidateExit: 1 })],
      ['the vmdk signature', VMDK_SIGNATURE],
    ];
    for (const [name, o] of rejected) expect(vhdx.accepts(o), name).toBe(false);
  });

  test('matchWhitelist: outside the class a matching signature is not accepted and nothing is counted', () => {
    const stats = new RunStats('dd');
    expect(matchWhitelist(ddWhitelist, factsFor(ddCase('vmdk', blocks(1), absent)), VMDK_SIGNATURE, stats, '7.2')).toBeUndefined();
    expect(matchWhitelist(ddWhitelist, factsFor(ddCase('vhdx', blocks(1), absent)), VHDX_SIGNATURE, stats, '7.2')).toBeUndefined();
    expect(stats.eligibleCounts.size + stats.hitCounts.size).toBe(0);
  });

  test('matchWhitelist counts eligible cases always and hits only when accepted', () => {
    const stats = new RunStats('dd');
    const facts = factsFor(ddCase('vmdk', blocks(0), absent));
    expect(matchWhitelist(ddWhitelist, facts, undefined, stats, '7.2')).toBeUndefined();
    expect(matchWhitelist(ddWhitelist, facts, observation('candidate-crash', exited(1), signaled('SIGSEGV')), stats, '7.2')).toBeUndefined();
    expect(matchWhitelist(ddWhitelist, facts, VMDK_SIGNATURE, stats, '7.2')?.id).toBe('dd-empty-window-vmdk');
    expect(Object.fromEntries(stats.eligibleCounts)).toEqual({ 'dd-empty-window-vmdk': 3 });
    expect(Object.fromEntries(stats.hitCounts)).toEqual({ 'dd-empty-window-vmdk': 1 });
  });
});

describe('dd whitelist through the dd property, with real candidates', () => {
  const disposals: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const dispose of disposals.splice(0)) await dispose();
  });

  /** Runs one case; returns the finding it raised (if any) and the run's counters. */
  async function check(tools: ResolvedTools, c: DdCase, timeoutMs = 30_000): Promise<{ finding: Finding | undefined; stats: RunStats }> {
    const env = ddEnv(tools, timeoutMs);
    disposals.push(() => env.images.dispose());
    try {
      await checkDdCase(env, c);
      return { finding: undefined, stats: env.stats };
    } catch (error) {
      if (error instanceof FindingError) return { finding: error.finding, stats: env.stats };
      throw error;
    }
  }

  /** The empty-window mutant, behaving as `behaviour` on `-O target`. */
  const mutant = (target: ImageFormat, behaviour: string, scope = ''): Promise<ResolvedTools> =>
    toolsWithCandidate(`"${mutantPath('dd-empty-window.sh')}" ${target} ${behaviour} ${scope}`);

  const hits = (stats: RunStats) => ({ eligible: Object.fromEntries(stats.eligibleCounts), hits: Object.fromEntries(stats.hitCounts) });

  test.each(EMPTY)('vmdk, %s: exit 0 with an empty file (instar\'s behaviour) passes and counts as a hit', async (_name, count, skip) => {
    const { finding, stats } = await check(await mutant('vmdk', 'like-instar'), ddCase('vmdk', count, skip));
    expect(finding?.divergence.summary).toBeUndefined();
    expect(hits(stats)).toEqual({ eligible: { 'dd-empty-window-vmdk': 1 }, hits: { 'dd-empty-window-vmdk': 1 } });
  });

  test('vhdx, empty window: exit 0 with an unreadable file passes and counts as a hit', async () => {
    const { finding, stats } = await check(await mutant('vhdx', 'like-instar'), ddCase('vhdx', absent, blocks(12)));
    expect(finding?.divergence.summary).toBeUndefined();
    expect(hits(stats)).toEqual({ eligible: { 'dd-empty-window-vhdx': 1 }, hits: { 'dd-empty-window-vhdx': 1 } });
  });

  test.each<[ImageFormat, string, DivergenceKind]>([
    ['vmdk', 'segfault', 'candidate-crash'],
    ['vmdk', 'wrong-size', 'exit-status'],
    ['vhdx', 'segfault', 'candidate-crash'],
    ['vhdx', 'fail', 'exit-status'],
    ['vhdx', 'wrong-size', 'virtual-size'],
  ])('%s, empty window, candidate %s: still a finding (%s)', async (target, behaviour, kind) => {
    const { finding, stats } = await check(await mutant(target, behaviour), ddCase(target, blocks(0), absent));
    expect(finding?.divergence.kind).toBe(kind);
    expect(stats.hitCounts.size).toBe(0);
    expect(stats.eligibleCounts.get(`dd-empty-window-${target}`)).toBe(1);
    if (behaviour === 'wrong-size') expect(finding?.divergence.detail ?? '').toMatch(/1048576/);
  });

  test('vmdk, empty window, candidate hangs: a timeout finding', async () => {
    const { finding, stats } = await check(await mutant('vmdk', 'hang'), ddCase('vmdk', blocks(0), absent), 1_000);
    expect(finding?.divergence.kind).toBe('candidate-timeout');
    expect(stats.hitCounts.size).toBe(0);
  });

  test.each(['vmdk', 'vhdx'] as const)('%s, non-empty window: an unreadable output is a finding, and not eligible', async (target) => {
    const { finding, stats } = await check(await mutant(target, 'like-instar', 'always'), ddCase(target, blocks(1), absent));
    expect(finding?.divergence.kind).toBe('output-unreadable');
    expect(finding?.divergence.data['referenceVirtualSize']).toBe(512);
    expect(hits(stats)).toEqual({ eligible: {}, hits: {} });
  });

  test('through the instar dialect: the fake instar\'s opt-in quirks are accepted, its faithful mode needs no whitelist', async () => {
    const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
    delete env['CANDIDATE'];
    const instar = await resolveTools(env);
    expect(instar.candidate.dialect).toBe('instar');
    process.env['FAKE_INSTAR_QUIRKS'] = 'empty-vmdk,empty-vhdx';
    try {
      for (const target of ['vmdk', 'vhdx'] as const) {
        const { finding, stats } = await check(instar, ddCase(target, absent, blocks(12)));
        expect(finding?.divergence.summary).toBeUndefined();
        expect(stats.hitCounts.get(`dd-empty-window-${target}`)).toBe(1);
      }
    } finally {
      delete process.env['FAKE_INSTAR_QUIRKS'];
    }
    // Without quirks the fake agrees with qemu-img: eligible, never hit.
    for (const target of ['vmdk', 'vhdx'] as const) {
      const { finding, stats } = await check(instar, ddCase(target, absent, blocks(12)));
      expect(finding?.divergence.summary).toBeUndefined();
      expect(hits(stats)).toEqual({ eligible: { [`dd-empty-window-${target}`]: 1 }, hits: {} });
    }
  });
});
