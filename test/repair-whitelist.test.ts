import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repairCaseArbitrary, type RepairCase } from '../arbitraries/repair-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import type { Termination } from '../drivers/process-outcome.ts';
import { divergence, type DivergenceKind, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { checkRepairCase } from '../properties/repair.ts';
import { repairEnv } from '../properties/repair-env.ts';
import { matchWhitelist, repairWhitelist, type WhitelistTally } from '../whitelist.ts';
import { exited, signaled, syntheticOutcome, timedOut } from './support/synthetic-outcome.ts';

const silent: WhitelistTally = { eligible: () => undefined, hit: () => undefined };
const source = { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: 1, extents: [{ offset: 0, length: 1, fill: 1 }] } as const;
const leakCase: RepairCase = { source, fault: { kind: 'leak', site: 0 }, tier: 'all' };
const overcountCase: RepairCase = { source, fault: { kind: 'refcount-high', site: 0 }, tier: 'leaks' };

const CLEAN = { corruptions: 0, leaks: 0, checkErrors: 0 };
const ONE_LEAK = { corruptions: 0, leaks: 1, checkErrors: 0 };

interface Picture {
  readonly baselineExit: number;
  readonly baseline: typeof CLEAN;
  readonly candidateAfter: typeof CLEAN | null;
  readonly candidateContentIntact: boolean;
  readonly document?: string;
  readonly fields?: ReadonlyArray<{ field: string; reference: JsonValue; candidate: JsonValue }>;
}

function observation(picture: Picture, kind: DivergenceKind, reference: Termination, candidate: Termination): Observation {
  return {
    divergence: divergence(kind, 'synthetic', '', picture as unknown as Record<string, JsonValue>),
    reference: syntheticOutcome(reference),
    candidate: syntheticOutcome(candidate),
  };
}

const match = (c: RepairCase, o: Observation): string | undefined => matchWhitelist(repairWhitelist, { repairCase: c }, o, silent, '7.2')?.id;

/** Each entry's own signature, as properties/repair.ts records it. */
const DETECTED: Picture = { baselineExit: 3, baseline: ONE_LEAK, candidateAfter: CLEAN, candidateContentIntact: true };
const KEPT: Picture = { baselineExit: 3, baseline: ONE_LEAK, candidateAfter: ONE_LEAK, candidateContentIntact: true };

describe('repair whitelist entries: each accepts its one signature and nothing else in its class', () => {
  test('three documented entries, each with a reason, a source and a signature', () => {
    expect(repairWhitelist.map((e) => e.id)).toEqual(['repair-json-instar-fields', 'repair-exit-reflects-detected', 'repair-leaks-keeps-overcount']);
    for (const e of repairWhitelist) {
      expect(e.documentedAt).toContain('instar-ops.md section 9');
      expect(e.signature.length).toBeGreaterThan(20);
    }
  });

  test('the signatures are accepted, each by its own entry', () => {
    expect(match(leakCase, observation(DETECTED, 'exit-status', exited(0), exited(3)))).toBe('repair-exit-reflects-detected');
    expect(match(overcountCase, observation(KEPT, 'exit-status', exited(0), exited(3)))).toBe('repair-leaks-keeps-overcount');
    expect(match(overcountCase, observation({ ...KEPT, document: 'repair-json' }, 'metadata', exited(0), exited(3)))).toBe('repair-leaks-keeps-overcount');
    expect(match(overcountCase, observation({ ...KEPT, document: 'post-repair-check' }, 'metadata', exited(0), exited(3)))).toBe('repair-leaks-keeps-overcount');
  });

  test('a crash, a hang or another exit status in the same class is a finding', () => {
    for (const [c, picture] of [[leakCase, DETECTED], [overcountCase, KEPT]] as const) {
      expect(match(c, observation(picture, 'candidate-crash', exited(0), signaled('SIGSEGV')))).toBeUndefined();
      expect(match(c, observation(picture, 'candidate-timeout', exited(0), timedOut(1000)))).toBeUndefined();
      expect(match(c, observation(picture, 'exit-status', exited(0), exited(1)))).toBeUndefined();
      expect(match(c, observation(picture, 'exit-status', exited(0), exited(2)))).toBeUndefined();
      expect(match(c, observation(picture, 'exit-code', exited(1), exited(3)))).toBeUndefined();
    }
  });

  test('an image left worse, unreadable or with other content is a finding', () => {
    const leaky = { ...DETECTED, candidateAfter: ONE_LEAK };
    expect(match(leakCase, observation(leaky, 'exit-status', exited(0), exited(3)))).toBeUndefined();
    expect(match(leakCase, observation({ ...DETECTED, candidateAfter: null }, 'exit-status', exited(0), exited(3)))).toBeUndefined();
    expect(match(leakCase, observation({ ...DETECTED, candidateContentIntact: false }, 'exit-status', exited(0), exited(3)))).toBeUndefined();
    expect(match(leakCase, observation({ ...DETECTED, document: 'repair-json' }, 'metadata', exited(0), exited(0)))).toBeUndefined();
    const worse = { ...KEPT, candidateAfter: { corruptions: 1, leaks: 1, checkErrors: 0 } };
    expect(match(overcountCase, observation(worse, 'exit-status', exited(0), exited(3)))).toBeUndefined();
    expect(match(overcountCase, observation({ ...KEPT, candidateContentIntact: false }, 'exit-status', exited(0), exited(3)))).toBeUndefined();
    expect(match(overcountCase, observation({ ...KEPT, candidateAfter: CLEAN, document: 'repair-json' }, 'metadata', exited(0), exited(3)))).toBeUndefined();
    expect(match(overcountCase, observation({ ...KEPT, document: 'repair-safety' }, 'metadata', exited(0), exited(3)))).toBeUndefined();
    expect(match(overcountCase, observation(KEPT, 'content', exited(0), exited(3)))).toBeUndefined();
  });

  test('outside its class the over-count entry does not apply: the all tier, or a leak, keeping its leaks is a finding', () => {
    expect(match({ ...overcountCase, tier: 'all' }, observation({ ...KEPT, document: 'repair-json' }, 'metadata', exited(0), exited(3)))).toBeUndefined();
    expect(match({ ...overcountCase, fault: { kind: 'leak', site: 0 } }, observation({ ...KEPT, document: 'repair-json' }, 'metadata', exited(0), exited(3)))).toBeUndefined();
  });
});

describe('the instar-fields entry accepts zero counts and repair-incomplete=false where qemu-img prints nothing, and nothing else', () => {
  const extra = (fields: Picture['fields'], picture: Picture = DETECTED): Observation =>
    observation({ ...picture, document: 'repair-json', ...(fields === undefined ? {} : { fields }) }, 'metadata', exited(0), exited(0));
  const ZEROS = [
    { field: 'corruptions', reference: null, candidate: 0 },
    { field: 'refcount-errors', reference: null, candidate: 0 },
    { field: 'repair-incomplete', reference: null, candidate: false },
  ];
  test('its signature is accepted', () => {
    expect(match(leakCase, extra(ZEROS))).toBe('repair-json-instar-fields');
  });
  test('a nonzero count, a true repair-incomplete, a field qemu-img prints, another field or lost content is a finding', () => {
    expect(match(leakCase, extra([{ field: 'leaks', reference: null, candidate: 1 }]))).toBeUndefined();
    expect(match(leakCase, extra([{ field: 'repair-incomplete', reference: null, candidate: true }]))).toBeUndefined();
    expect(match(leakCase, extra([{ field: 'leaks-fixed', reference: 1, candidate: 0 }]))).toBeUndefined();
    expect(match(leakCase, extra([{ field: 'corruptions', reference: 1, candidate: 0 }]))).toBeUndefined();
    expect(match(leakCase, extra([...ZEROS, { field: 'leaks-fixed', reference: 1, candidate: null }]))).toBeUndefined();
    expect(match(leakCase, extra([{ field: 'toString', reference: null, candidate: null }]))).toBeUndefined();
    expect(match(leakCase, extra([]))).toBeUndefined();
    expect(match(leakCase, extra(ZEROS, { ...DETECTED, candidateContentIntact: false }))).toBeUndefined();
    expect(match(leakCase, observation({ ...DETECTED, document: 'post-repair-check', fields: ZEROS }, 'metadata', exited(0), exited(0)))).toBeUndefined();
  });
});

describe("the fake instar with instar's three repair quirks passes the repair property, through the whitelist", () => {
  beforeAll(() => {
    process.env['FAKE_INSTAR_QUIRKS'] = 'repair-exit-detected,repair-leaks-keeps-overcount,repair-json-extra-keys';
  });
  afterAll(() => {
    delete process.env['FAKE_INSTAR_QUIRKS'];
  });

  test('every divergence is accepted, and each entry is hit', async () => {
    const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
    delete env['CANDIDATE'];
    const tools = await resolveTools(env);
    expect(tools.candidate.dialect).toBe('instar');
    // The fake calls qemu-img twice per repair: on a loaded machine it may need more than the 1 s floor.
    const environment = { ...repairEnv(tools, 30_000, { floorMs: 20_000, factor: 10 }) };
    try {
      await fc.assert(fc.asyncProperty(repairCaseArbitrary, (c) => checkRepairCase(environment, c)), { seed: 10, numRuns: 16 });
      for (const entry of repairWhitelist) expect(environment.stats.hitCounts.get(entry.id) ?? 0, entry.id).toBeGreaterThan(0);
    } finally {
      await environment.dispose();
    }
  });
});
