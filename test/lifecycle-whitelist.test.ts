import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { LifecycleCase, LifecycleStep } from '../arbitraries/lifecycle-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import type { Termination } from '../drivers/process-outcome.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import { divergence, type DivergenceKind, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { initialModel, resolveTarget, type LifecycleModel } from '../oracles/lifecycle-model.ts';
import { checkLifecycleCase } from '../properties/lifecycle.ts';
import { lifecycleWhitelist, matchWhitelist, type WhitelistTally } from '../whitelist.ts';
import { lifecycleEnv } from './mutants/lifecycle.scenarios.ts';
import { exited, signaled, syntheticOutcome, timedOut } from './support/synthetic-outcome.ts';

const silent: WhitelistTally = { eligible: () => undefined, hit: () => undefined };
const MiB = 1024 * 1024;

const base = (clusterSize = 65536, size = 65536): ImageSpec => ({ layout: { format: 'qcow2', clusterSize, extendedL2: false, lazyRefcounts: false }, size, extents: [] });

function observation(candidateUnchanged: boolean, candidate: Termination = exited(1), kind: DivergenceKind = 'exit-status', data: Record<string, JsonValue> = {}): Observation {
  return {
    divergence: divergence(kind, 'synthetic', '', { referenceExit: 0, candidateExit: 1, candidateUnchanged, ...data }),
    reference: syntheticOutcome(exited(0)),
    candidate: syntheticOutcome(candidate),
  };
}

const snapshot = (id: string, name: string, size = 65536): LifecycleModel['snapshots'][number] => ({ id, name, content: Buffer.alloc(size) });

/** The entry that accepts `o` for `step` taken in state `model`. */
function match(step: LifecycleStep, o: Observation, model: LifecycleModel = initialModel(base())): string | undefined {
  const argument = 'target' in step ? resolveTarget(step.target, model.snapshots) : undefined;
  return matchWhitelist(lifecycleWhitelist, { step, before: model, argument }, o, silent, '7.2')?.id;
}

const withSnapshots = (count: number): LifecycleModel => ({ ...initialModel(base()), snapshots: Array.from({ length: count }, (_, i) => snapshot(String(i + 1), `s${i + 1}`)) });
const withBitmaps = (...granularities: number[]): LifecycleModel => ({
  ...initialModel(base()),
  bitmaps: granularities.map((granularity, i) => ({ name: `b${i}`, granularity, enabled: true, dirty: [] })),
});
const grownAfterSnapshot: LifecycleModel = { ...initialModel(base()), content: Buffer.alloc(131072), snapshots: [snapshot('1', 'alpha')] };
const large512: LifecycleModel = { ...initialModel(base(512, 4 * MiB + 65536)), snapshots: [snapshot('1', 'alpha')] };

const create = (name: string): LifecycleStep => ({ do: 'snapshot-create', name });
const applyFirst: LifecycleStep = { do: 'snapshot-apply', target: { by: 'name', pick: 0 } };
const deleteFirst: LifecycleStep = { do: 'snapshot-delete', target: { by: 'name', pick: 0 } };
const merge: LifecycleStep = { do: 'bitmap-merge', source: 0, bitmap: 1 };

describe("the life-cycle whitelist: instar's documented snapshot and bitmap refusals, each a refusal that leaves the image untouched", () => {
  test('one entry per documented refusal the arbitrary can meet, each citing instar-ops.md and known for both references', () => {
    expect(lifecycleWhitelist.map((e) => e.id)).toEqual([
      'snapshot-empty-name',
      'snapshot-name-over-255-bytes',
      'snapshot-table-full',
      'snapshot-image-has-bitmaps',
      'snapshot-apply-other-size',
      'snapshot-512-byte-clusters-above-4m',
      'bitmap-merge-granularity',
    ]);
    for (const e of lifecycleWhitelist) expect([e.documentedAt, e.knownFor]).toEqual([expect.stringMatching(/instar-ops\.md section [78]/), 'all']);
  });

  test.each([
    ['snapshot-empty-name', create(''), initialModel(base())],
    ['snapshot-name-over-255-bytes', create('M'.repeat(256)), initialModel(base())],
    ['snapshot-table-full', create('alpha'), withSnapshots(16)],
    ['snapshot-image-has-bitmaps', create('alpha'), withBitmaps(65536)],
    ['snapshot-apply-other-size', applyFirst, grownAfterSnapshot],
    ['snapshot-512-byte-clusters-above-4m', deleteFirst, large512],
    ['bitmap-merge-granularity', merge, withBitmaps(512, 65536)],
  ] as const)('%s: accepted when refused untouched; a touched image, a crash, a hang or a wrong result is a finding', (id, step, model) => {
    expect(match(step, observation(true), model)).toBe(id);
    expect(match(step, observation(false), model)).toBeUndefined();
    expect(match(step, observation(true, signaled('SIGSEGV')), model)).toBeUndefined();
    expect(match(step, observation(true, timedOut(1000)), model)).toBeUndefined();
    expect(match(step, observation(true, exited(0), 'metadata', { document: 'info' }), model)).toBeUndefined();
  });

  test('outside their classes the same refusal is a finding', () => {
    expect(match(create('alpha'), observation(true))).toBeUndefined();
    expect(match(create('L'.repeat(255)), observation(true))).toBeUndefined();
    expect(match(create('snäp-名前'), observation(true))).toBeUndefined();
    expect(match(create('alpha'), observation(true), withSnapshots(15))).toBeUndefined();
    expect(match(applyFirst, observation(true), withSnapshots(1))).toBeUndefined();
    expect(match({ do: 'bitmap-add', bitmap: 2, granularity: null, disabled: false }, observation(true), withBitmaps(65536))).toBeUndefined();
    expect(match(merge, observation(true), withBitmaps(65536, 65536))).toBeUndefined();
    expect(match(deleteFirst, observation(true), { ...large512, content: Buffer.alloc(4 * MiB) })).toBeUndefined();
  });
});

describe('the fake instar refusing an empty snapshot name and a cross-granularity merge, end to end', () => {
  afterEach(() => {
    delete process.env['FAKE_INSTAR_QUIRKS'];
  });

  async function fakeInstarEnv(): Promise<ReturnType<typeof lifecycleEnv>> {
    const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
    delete env['CANDIDATE'];
    const tools = await resolveTools(env);
    expect(tools.candidate.dialect).toBe('instar');
    return { ...lifecycleEnv(tools), candidateTime: { floorMs: 20_000, factor: 10 } };
  }

  const sequence: LifecycleCase = {
    base: { ...base(), extents: [{ offset: 0, length: 512, fill: 34 }] },
    steps: [
      create(''),
      create('snäp-名前'),
      { do: 'snapshot-list' },
      { do: 'bitmap-add', bitmap: 0, granularity: 512, disabled: false },
      { do: 'bitmap-add', bitmap: 1, granularity: null, disabled: false },
      merge,
      { do: 'write', region: { at: 0, sectors: 2 }, fill: 7 },
    ],
  };

  test('each refusal is accepted, both copies roll back, and the sequence goes on to agree', async () => {
    process.env['FAKE_INSTAR_QUIRKS'] = 'snapshot-empty-name-refused,bitmap-merge-granularity-refused';
    const env = await fakeInstarEnv();
    await checkLifecycleCase(env, sequence);
    expect(env.stats.hitCounts.get('snapshot-empty-name')).toBe(1);
    expect(env.stats.hitCounts.get('bitmap-merge-granularity')).toBe(1);
  });

  test('without the quirks the fake agrees with qemu-img: no entry is hit', async () => {
    const env = await fakeInstarEnv();
    await checkLifecycleCase(env, sequence);
    expect(env.stats.hitCounts.get('snapshot-empty-name') ?? 0).toBe(0);
    expect(env.stats.hitCounts.get('bitmap-merge-granularity') ?? 0).toBe(0);
  });
});
