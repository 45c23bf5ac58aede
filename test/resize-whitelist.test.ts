import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ResizeCase } from '../arbitraries/resize-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import type { Termination } from '../drivers/process-outcome.ts';
import { divergence, type DivergenceKind, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { checkResizeCase, resizeFactsOf } from '../properties/resize.ts';
import { FindingError } from '../reports/finding.ts';
import { matchWhitelist, QEMU_CANNOT_RESIZE_MESSAGE, resizeWhitelist, type WhitelistTally } from '../whitelist.ts';
import { resizeEnv } from './mutants/resize.scenarios.ts';
import { exited, signaled, syntheticOutcome, timedOut } from './support/synthetic-outcome.ts';

const silent: WhitelistTally = { eligible: () => undefined, hit: () => undefined };
const MiB = 1024 * 1024;

const grow = (format: 'vmdk' | 'vpc' | 'vhdx', delta = MiB): ResizeCase => ({
  source: {
    layout: format === 'vmdk' ? { format, subformat: 'monolithicSparse' } : format === 'vpc' ? { format, subformat: 'dynamic' } : { format, blockSize: MiB },
    size: MiB,
    extents: [
      { offset: 0, length: 4096, fill: 0x11 },
      { offset: MiB - 512, length: 512, fill: 0x46 },
    ],
  },
  target: { form: 'relative', delta },
  shrink: false,
  preallocation: 'omitted',
});

function observation(
  kind: DivergenceKind = 'exit-status',
  data: Record<string, JsonValue> = { referenceExit: 1, candidateExit: 0, referenceMessage: QEMU_CANNOT_RESIZE_MESSAGE, candidateResultSound: true },
  reference: Termination = exited(1),
  candidate: Termination = exited(0),
): Observation {
  return { divergence: divergence(kind, 'synthetic', '', data), reference: syntheticOutcome(reference), candidate: syntheticOutcome(candidate) };
}

const match = (c: ResizeCase, virtualSize: number, o: Observation): string | undefined => matchWhitelist(resizeWhitelist, resizeFactsOf(c, virtualSize), o, silent, '7.2')?.id;
const ENTRY = 'resize-grow-format-qemu-cannot-resize';

describe('the resize whitelist entry accepts its one signature and nothing else in its class', () => {
  test('one documented entry per divergence section 3 lists that the arbitrary can meet, each for both reference versions', () => {
    expect(resizeWhitelist.map((e) => e.id)).toEqual([ENTRY, 'resize-qcow2-metadata-preallocation', 'resize-qcow2-2m-clusters', 'resize-qcow2-extended-l2-preallocation']);
    for (const e of resizeWhitelist) expect([e.documentedAt, e.knownFor]).toEqual([expect.stringContaining('instar-ops.md section 3'), 'all']);
    const [entry] = resizeWhitelist;
    expect(entry?.documentedAt).toContain('instar-ops.md section 3');
    expect(entry?.knownFor).toBe('all');
    expect(entry?.signature).toContain(QEMU_CANNOT_RESIZE_MESSAGE);
  });

  test('the signature is accepted on a grow of each format qemu-img cannot resize', () => {
    for (const format of ['vmdk', 'vpc', 'vhdx'] as const) expect(match(grow(format), MiB, observation())).toBe(ENTRY);
  });

  test('a crash, a hang, a wrong result or another refusal in the same class is a finding', () => {
    const c = grow('vpc');
    expect(match(c, MiB, observation('candidate-crash', { signal: 'SIGSEGV' }, exited(1), signaled('SIGSEGV')))).toBeUndefined();
    expect(match(c, MiB, observation('candidate-timeout', { afterMs: 1000 }, exited(1), timedOut(1000)))).toBeUndefined();
    // The candidate's image failed the model: properties/resize.ts files the problem itself.
    expect(match(c, MiB, observation('content', { offset: 0 }))).toBeUndefined();
    expect(match(c, MiB, observation('virtual-size', {}))).toBeUndefined();
    expect(match(c, MiB, observation('output-unreadable', { reader: 'qemu-img' }))).toBeUndefined();
    // No soundness verdict recorded, another message, another exit code.
    expect(match(c, MiB, observation('exit-status', { referenceExit: 1, candidateExit: 0, referenceMessage: QEMU_CANNOT_RESIZE_MESSAGE }))).toBeUndefined();
    expect(match(c, MiB, observation('exit-status', { referenceExit: 1, candidateExit: 0, referenceMessage: 'qemu-img: Could not open', candidateResultSound: true }))).toBeUndefined();
    expect(match(c, MiB, observation('exit-status', undefined, exited(2)))).toBeUndefined();
    // The other direction: qemu-img resized and the candidate refused.
    expect(match(c, MiB, observation('exit-status', { referenceExit: 0, candidateExit: 1 }, exited(0), exited(1)))).toBeUndefined();
  });

  test('outside its class the entry does not apply: a shrink, a no-op, or raw and qcow2', () => {
    expect(match(grow('vpc', -512), MiB, observation())).toBeUndefined();
    expect(match(grow('vpc', 0), MiB, observation())).toBeUndefined();
    const raw: ResizeCase = { ...grow('vpc'), source: { ...grow('vpc').source, layout: { format: 'raw' } } };
    expect(match(raw, MiB, observation())).toBeUndefined();
  });
});

describe('the fake instar growing vmdk, vpc and vhdx, end to end', () => {
  afterEach(() => {
    delete process.env['FAKE_INSTAR_QUIRKS'];
  });

  async function fakeInstarEnv(): Promise<ReturnType<typeof resizeEnv>> {
    const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
    delete env['CANDIDATE'];
    const tools = await resolveTools(env);
    expect(tools.candidate.dialect).toBe('instar');
    // The fake runs qemu-img several times per call: more than the 1 s floor on a loaded machine.
    return { ...resizeEnv(tools), candidateTime: { floorMs: 20_000, factor: 10 } };
  }

  test('a correct grow is accepted by the entry, for each format', async () => {
    process.env['FAKE_INSTAR_QUIRKS'] = 'resize-grow-any-format';
    const env = await fakeInstarEnv();
    try {
      for (const format of ['vmdk', 'vpc', 'vhdx'] as const) await checkResizeCase(env, grow(format));
      expect(env.stats.hitCounts.get(ENTRY)).toBe(3);
    } finally {
      await env.images.dispose();
    }
  });

  test('a grow that loses data in the same class is a content finding, not accepted', async () => {
    process.env['FAKE_INSTAR_QUIRKS'] = 'resize-grow-any-format,resize-grow-zeroes-first-sector';
    const env = await fakeInstarEnv();
    try {
      const error = await checkResizeCase(env, grow('vpc')).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(FindingError);
      const { finding } = error as FindingError;
      expect(finding.divergence.kind).toBe('content');
      expect(finding.divergence.summary).toContain(QEMU_CANNOT_RESIZE_MESSAGE);
      expect(env.stats.hitCounts.get(ENTRY) ?? 0).toBe(0);
    } finally {
      await env.images.dispose();
    }
  });
});

describe("instar's documented qcow2 resize refusals: each a refusal that leaves the image untouched", () => {
  const qcow2 = (clusterSize: number, extendedL2: boolean, preallocation: ResizeCase['preallocation']): ResizeCase => ({
    source: { layout: { format: 'qcow2', clusterSize, extendedL2, lazyRefcounts: false }, size: MiB, extents: [{ offset: 0, length: 4096, fill: 0x11 }] },
    target: { form: 'relative', delta: MiB },
    shrink: false,
    preallocation,
  });
  const refusal = (candidateUnchanged: boolean, candidate: Termination = exited(1)): Observation =>
    observation('exit-status', { referenceExit: 0, candidateExit: 1, candidateUnchanged }, exited(0), candidate);

  test.each([
    ['resize-qcow2-metadata-preallocation', qcow2(65536, false, 'metadata')],
    ['resize-qcow2-2m-clusters', qcow2(2 * MiB, false, 'omitted')],
    ['resize-qcow2-extended-l2-preallocation', qcow2(65536, true, 'falloc')],
  ] as const)('%s: accepted when refused untouched; a touched image, a crash, a hang or success with other bytes is a finding', (id, c) => {
    expect(match(c, MiB, refusal(true))).toBe(id);
    expect(match(c, MiB, refusal(false))).toBeUndefined();
    expect(match(c, MiB, refusal(true, signaled('SIGSEGV')))).toBeUndefined();
    expect(match(c, MiB, refusal(true, timedOut(1000)))).toBeUndefined();
    expect(match(c, MiB, observation('content', { offset: 0 }, exited(0), exited(0)))).toBeUndefined();
  });

  test('outside their classes: the same refusal of a plain qcow2 grow is a finding', () => {
    expect(match(qcow2(65536, false, 'off'), MiB, refusal(true))).toBeUndefined();
    expect(match(qcow2(65536, true, 'off'), MiB, refusal(true))).toBeUndefined();
  });
});
