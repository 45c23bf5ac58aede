import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { amendCaseArbitrary, amendCreateOptions, amendOptions, type AmendCase } from '../arbitraries/amend-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import { instarArgs } from '../drivers/instar-dialect.ts';
import { qemuImgArgs } from '../drivers/qemu-img-dialect.ts';
import type { AmendRequest } from '../drivers/requests.ts';
import { amendModel, checkAmendCase } from '../properties/amend.ts';
import { amendEnv } from './mutants/amend.scenarios.ts';
import type { Termination } from '../drivers/process-outcome.ts';
import { divergence, type DivergenceKind, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { amendWhitelist, matchWhitelist, type WhitelistTally } from '../whitelist.ts';
import { exited, signaled, syntheticOutcome, timedOut } from './support/synthetic-outcome.ts';

const silent: WhitelistTally = { eligible: () => undefined, hit: () => undefined };

const source = { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: 1, extents: [{ offset: 0, length: 1, fill: 1 }] } as const;
const amendCase = (change: AmendCase['change'], refcountBits = 16, extendedL2 = false): AmendCase => ({
  source: { ...source, layout: { ...source.layout, extendedL2 } },
  refcountBits,
  change,
});

describe('amend request in both dialects', () => {
  const request: AmendRequest = { op: 'amend', file: 'a.qcow2', format: 'qcow2', options: [['compat', '1.1'], ['lazy_refcounts', 'on']] };
  test('qemu-img: one -o with the options joined', () => {
    expect(qemuImgArgs(request)).toEqual(['amend', '-f', 'qcow2', '-o', 'compat=1.1,lazy_refcounts=on', 'a.qcow2']);
  });
  test('instar: one -o per option (instar-ops.md section 4)', () => {
    expect(instarArgs(request)).toEqual(['amend', '-f', 'qcow2', '-o', 'compat=1.1', '-o', 'lazy_refcounts=on', 'a.qcow2']);
  });
});

describe('amend cases and the model of qemu-img amend', () => {
  test('v2 sources never carry a refcount width or extended L2 (qemu-img cannot create them)', () => {
    expect(amendCreateOptions(amendCase('upgrade', 8, true))).toEqual([['compat', '0.10'], ['cluster_size', '65536']]);
    expect(amendCreateOptions(amendCase('lazy-off', 8, true))).toEqual([
      ['compat', '1.1'],
      ['cluster_size', '65536'],
      ['refcount_bits', '8'],
      ['extended_l2', 'on'],
      ['lazy_refcounts', 'on'],
    ]);
    expect(amendOptions('upgrade-lazy')).toEqual([['compat', '1.1'], ['lazy_refcounts', 'on']]);
  });

  test('refusals: a downgrade with refcount_bits other than 16 or extended L2, lazy refcounts on a v2 image', () => {
    expect(amendModel(amendCase('downgrade', 8)).exit).toBe(1);
    expect(amendModel(amendCase('downgrade', 16, true))).toEqual({ exit: 1, compat: '1.1', lazyRefcounts: false });
    expect(amendModel(amendCase('lazy-on-v2'))).toEqual({ exit: 1, compat: '0.10', lazyRefcounts: undefined });
    expect(amendModel(amendCase('downgrade'))).toEqual({ exit: 0, compat: '0.10', lazyRefcounts: undefined });
    expect(amendModel(amendCase('upgrade-lazy'))).toEqual({ exit: 0, compat: '1.1', lazyRefcounts: true });
    expect(amendModel(amendCase('lazy-off', 64))).toEqual({ exit: 0, compat: '1.1', lazyRefcounts: false });
  });
});

test('the fake instar amends in instar\'s dialect and passes a short run of the amend property', async () => {
  const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
  delete env['CANDIDATE'];
  const tools = await resolveTools(env);
  expect(tools.candidate.dialect).toBe('instar');
  const environment = { ...amendEnv(tools), candidateTime: { floorMs: 20_000, factor: 10 } };
  await fc.assert(fc.asyncProperty(amendCaseArbitrary, (c) => checkAmendCase(environment, c)), { seed: 11, numRuns: 8 });
  expect(environment.stats.runs).toBe(8);
});

describe('the zstd-downgrade whitelist entry accepts a refusal that leaves the image as it was, and nothing else', () => {
  const zstd = amendCase('downgrade-zstd');
  const facts = { amendCase: zstd, referenceRefuses: amendModel(zstd).exit !== 0 };
  const observe = (kind: DivergenceKind, data: Record<string, JsonValue>, candidate: Termination = exited(1), reference: Termination = exited(0)): Observation => ({
    divergence: divergence(kind, 'synthetic', '', data),
    reference: syntheticOutcome(reference),
    candidate: syntheticOutcome(candidate),
  });
  const match = (o: Observation, f = facts): string | undefined => matchWhitelist(amendWhitelist, f, o, silent, '7.2')?.id;

  test('its signature: exit 1 and an unchanged image, seen as an exit status and as info', () => {
    expect(amendWhitelist.map((e) => e.id)).toEqual(['amend-zstd-downgrade-refused']);
    expect(amendWhitelist[0]!.documentedAt).toContain('instar-ops.md section 4');
    expect(match(observe('exit-status', { candidateUnchanged: true }))).toBe('amend-zstd-downgrade-refused');
    expect(match(observe('metadata', { document: 'info', candidateUnchanged: true }))).toBe('amend-zstd-downgrade-refused');
  });

  test('a crash, a hang, another exit, a changed image or another divergence is a finding', () => {
    expect(match(observe('candidate-crash', { candidateUnchanged: true }, signaled('SIGSEGV')))).toBeUndefined();
    expect(match(observe('candidate-timeout', { candidateUnchanged: true }, timedOut(1000)))).toBeUndefined();
    expect(match(observe('exit-status', { candidateUnchanged: true }, exited(2)))).toBeUndefined();
    expect(match(observe('exit-status', { candidateUnchanged: false }))).toBeUndefined();
    expect(match(observe('metadata', { document: 'info', candidateUnchanged: false }))).toBeUndefined();
    expect(match(observe('metadata', { document: 'check', candidateUnchanged: true }))).toBeUndefined();
    expect(match(observe('content', { candidateUnchanged: true }))).toBeUndefined();
  });

  test('outside its class it does not apply: a plain downgrade, or one qemu-img refuses too', () => {
    const plain = amendCase('downgrade');
    expect(match(observe('exit-status', { candidateUnchanged: true }), { amendCase: plain, referenceRefuses: false })).toBeUndefined();
    const refused = amendCase('downgrade-zstd', 8);
    expect(match(observe('exit-status', { candidateUnchanged: true }), { amendCase: refused, referenceRefuses: amendModel(refused).exit !== 0 })).toBeUndefined();
  });
});

test("the fake instar refusing zstd downgrades passes the amend property through the whitelist, and the entry is hit", async () => {
  // Set before the tools are resolved: the candidate's environment is taken from them.
  process.env['FAKE_INSTAR_QUIRKS'] = 'amend-zstd-downgrade-refused';
  const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
  delete env['CANDIDATE'];
  try {
    const tools = await resolveTools(env);
    const environment = { ...amendEnv(tools), candidateTime: { floorMs: 20_000, factor: 10 } };
    // 16-bit refcounts: other widths are refused by qemu-img too, outside the entry's class.
    const zstdCases = amendCaseArbitrary.map((c): AmendCase => ({ ...c, change: 'downgrade-zstd', refcountBits: 16 }));
    await fc.assert(fc.asyncProperty(zstdCases, (c) => checkAmendCase(environment, c)), { seed: 12, numRuns: 6 });
    expect(environment.stats.hitCounts.get('amend-zstd-downgrade-refused') ?? 0).toBeGreaterThan(0);
  } finally {
    delete process.env['FAKE_INSTAR_QUIRKS'];
  }
});
