import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ChainCase, ChainStep, LayerSpec } from '../arbitraries/chain-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import type { Termination } from '../drivers/process-outcome.ts';
import { initialModel } from '../oracles/chain-model.ts';
import { divergence, type DivergenceKind, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { chainFactsOf, checkChainCase } from '../properties/chain.ts';
import { chainWhitelist, matchWhitelist, type WhitelistTally } from '../whitelist.ts';
import { chainEnv } from './mutants/chain.scenarios.ts';
import { exited, signaled, syntheticOutcome, timedOut } from './support/synthetic-outcome.ts';

const silent: WhitelistTally = { eligible: () => undefined, hit: () => undefined };
const KiB = 1024;

const layer = (clusterSize: number, fill = 0): LayerSpec => ({ clusterSize, extents: fill === 0 ? [] : [{ offset: 0, length: 4 * KiB, fill }] });

/** base ← [mid ←] top, 128 KiB each, other.qcow2 with data; the steps given. */
function chain(sizes: readonly number[], steps: readonly ChainStep[], otherCluster = 65536): ChainCase {
  return {
    layers: sizes.map((c, i) => layer(c, 0x11 + i * 0x10)),
    size: 128 * KiB,
    baseSize: 128 * KiB,
    other: { ...layer(otherCluster, 0x41), size: 128 * KiB },
    steps,
  };
}

function observation(candidateUnchanged: boolean, candidate: Termination = exited(1), kind: DivergenceKind = 'exit-status', data: Record<string, JsonValue> = {}): Observation {
  return {
    divergence: divergence(kind, 'synthetic', '', { referenceExit: 0, candidateExit: 1, candidateUnchanged, ...data }),
    reference: syntheticOutcome(exited(0)),
    candidate: syntheticOutcome(candidate),
  };
}

const match = (c: ChainCase, o: Observation): string | undefined => {
  const [step] = c.steps;
  if (step === undefined) throw new Error('a case without steps');
  return matchWhitelist(chainWhitelist, chainFactsOf(c, step, initialModel(c)), o, silent, '7.2')?.id;
};

const safeRebase: ChainStep = { do: 'rebase', onto: 0, unsafe: false };
const commit = (base: number | null, drop: boolean): ChainStep => ({ do: 'commit', base, drop });

describe("the chain whitelist: instar's documented rebase and commit refusals, each a refusal that leaves every file untouched", () => {
  test('one entry per documented refusal the arbitrary can meet, each citing instar-ops.md and known for both references', () => {
    expect(chainWhitelist.map((e) => e.id)).toEqual(['rebase-safe-cross-cluster-size', 'commit-drop-not-implemented', 'commit-through-intermediate-layer', 'commit-mismatched-cluster-sizes']);
    for (const e of chainWhitelist) expect([e.documentedAt, e.knownFor]).toEqual([expect.stringMatching(/instar-ops\.md section [56]/), 'all']);
  });

  test.each([
    ['rebase-safe-cross-cluster-size', chain([65536, 4096], [safeRebase])],
    ['commit-drop-not-implemented', chain([65536, 65536], [commit(null, true)])],
    ['commit-through-intermediate-layer', chain([4096, 4096, 4096], [commit(1, false)])],
    ['commit-mismatched-cluster-sizes', chain([512, 65536], [commit(null, false)])],
  ] as const)('%s: accepted when refused untouched; touched files, a crash, a hang or a wrong result is a finding', (id, c) => {
    expect(match(c, observation(true))).toBe(id);
    expect(match(c, observation(false))).toBeUndefined();
    expect(match(c, observation(true, signaled('SIGSEGV')))).toBeUndefined();
    expect(match(c, observation(true, timedOut(1000)))).toBeUndefined();
    expect(match(c, observation(true, exited(0), 'content', { offset: 0 }))).toBeUndefined();
  });

  test('outside their classes the same refusal is a finding', () => {
    // -u onto another cluster size, a safe rebase onto the same size, a detach.
    expect(match(chain([65536, 4096], [{ do: 'rebase', onto: 0, unsafe: true }]), observation(true))).toBeUndefined();
    expect(match(chain([4096, 4096], [safeRebase]), observation(true))).toBeUndefined();
    expect(match(chain([65536, 4096], [{ do: 'rebase', onto: null, unsafe: false }]), observation(true))).toBeUndefined();
    // A plain commit into the immediate backing of the same cluster size, with or without -b naming it.
    expect(match(chain([4096, 4096, 4096], [commit(null, false)]), observation(true))).toBeUndefined();
    expect(match(chain([4096, 4096, 4096], [commit(0, false)]), observation(true))).toBeUndefined();
    // -b naming a file outside the chain: qemu-img refuses it too; nothing to accept.
    expect(match(chain([4096, 4096], [commit(1, false)]), observation(true))).toBeUndefined();
  });
});

describe('the fake instar refusing commit -d and cross-cluster-size safe rebases, end to end', () => {
  afterEach(() => {
    delete process.env['FAKE_INSTAR_QUIRKS'];
  });

  async function fakeInstarEnv(): Promise<ReturnType<typeof chainEnv>> {
    const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
    delete env['CANDIDATE'];
    const tools = await resolveTools(env);
    expect(tools.candidate.dialect).toBe('instar');
    return { ...chainEnv(tools), candidateTime: { floorMs: 20_000, factor: 10 } };
  }

  test('each refusal is accepted, both sides roll back, and the sequence goes on to agree', async () => {
    process.env['FAKE_INSTAR_QUIRKS'] = 'commit-drop-refused,rebase-safe-cross-cluster-refused';
    const env = await fakeInstarEnv();
    await checkChainCase(env, chain([65536, 4096], [commit(null, true), safeRebase, { do: 'rebase', onto: 0, unsafe: true }, commit(null, false)], 65536));
    expect(env.stats.hitCounts.get('commit-drop-not-implemented')).toBe(1);
    expect(env.stats.hitCounts.get('rebase-safe-cross-cluster-size')).toBe(1);
  });

  test('without the quirks the fake agrees with qemu-img: no entry is hit', async () => {
    const env = await fakeInstarEnv();
    await checkChainCase(env, chain([65536, 4096], [commit(null, true), safeRebase, commit(null, false)]));
    expect(env.stats.hitCounts.get('commit-drop-not-implemented') ?? 0).toBe(0);
    expect(env.stats.hitCounts.get('rebase-safe-cross-cluster-size') ?? 0).toBe(0);
  });
});
