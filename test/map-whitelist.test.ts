import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mapCaseArbitrary, type MapCase } from '../arbitraries/map-case.ts';
import { PROJECT_ROOT } from '../config/project-root.ts';
import { resolveTools } from '../config/resolve-tools.ts';
import type { Termination } from '../drivers/process-outcome.ts';
import { divergence, type DivergenceKind, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { checkMapCase, mapFactsOf } from '../properties/map.ts';
import { matchMapWhitelist, mapWhitelist, type MapDivergenceData, type WhitelistTally } from '../whitelist.ts';
import { mapEnv } from './mutants/map.scenarios.ts';
import { exited, signaled, syntheticOutcome, timedOut } from './support/synthetic-outcome.ts';

const silent: WhitelistTally = { eligible: () => undefined, hit: () => undefined };
const MiB = 1024 * 1024;

const rawCase: MapCase = { source: { layout: { format: 'raw' }, size: MiB, extents: [] }, start: { kind: 'absent' }, length: { kind: 'absent' } };
const vpcCase: MapCase = { source: { layout: { format: 'vpc', subformat: 'dynamic' }, size: 4 * MiB, extents: [] }, start: { kind: 'absent' }, length: { kind: 'absent' } };
const clippedCase: MapCase = {
  source: { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: MiB, extents: [] },
  start: { kind: 'bytes', n: 1000 },
  length: { kind: 'bytes', n: 3000 },
};

function observation(data: MapDivergenceData, kind: DivergenceKind = 'metadata', reference: Termination = exited(0), candidate: Termination = exited(0)): Observation {
  return {
    divergence: divergence(kind, 'synthetic', '', { document: 'map', ...(data as unknown as Record<string, JsonValue>) }),
    reference: syntheticOutcome(reference),
    candidate: syntheticOutcome(candidate),
  };
}

/** Each entry's own signature, as properties/map.ts records it (virtual sizes as qemu-img gives them). */
const RAW: MapDivergenceData = {
  mode: 'json',
  transitions: [{ where: 'inside', reference: 'present,zero,-data', candidate: 'present,-zero,data' }],
  referenceSpan: [0, MiB],
  candidateSpan: [0, MiB],
  differenceSpan: [4096, MiB],
  window: [0, MiB],
  widenedWindow: [0, MiB],
  candidateExtents: 1,
  candidateRuns: 1,
  candidateMeetsSpec: true,
};
const VPC_SIZE = 4_202_496;
const VPC: MapDivergenceData = {
  ...RAW,
  transitions: [{ where: 'inside', reference: 'present,zero,-data', candidate: '-present,zero,-data' }],
  referenceSpan: [0, VPC_SIZE],
  candidateSpan: [0, VPC_SIZE],
  differenceSpan: [0, VPC_SIZE],
  window: [0, VPC_SIZE],
  widenedWindow: [0, VPC_SIZE],
  candidateExtents: 1,
};
const CLIPPED: MapDivergenceData = {
  ...RAW,
  transitions: [{ where: 'outside', reference: 'uncovered', candidate: '-present,zero,-data' }],
  referenceSpan: [1000, 4000],
  candidateSpan: [0, 65536],
  differenceSpan: [0, 65536],
  window: [1000, 4000],
  widenedWindow: [0, 65536],
};

const ids = (entries: readonly { id: string }[] | undefined): string[] | undefined => entries?.map((e) => e.id);
const match = (c: MapCase, virtualSize: number, o: Observation): string[] | undefined => ids(matchMapWhitelist(mapFactsOf(c, virtualSize), o, silent, '7.2'));

describe('map whitelist entries: each accepts its one signature and nothing else in its class', () => {
  test('three documented entries, each with a reason, a source and a signature, for both reference versions', () => {
    expect(mapWhitelist.map((e) => e.id)).toEqual(['map-raw-one-allocated-extent', 'map-vpc-unallocated-not-present', 'map-window-clipped-to-allocation-unit']);
    for (const e of mapWhitelist) {
      expect(e.documentedAt).toContain('instar-ops.md');
      expect(e.knownFor).toBe('all');
      expect(e.signature.length).toBeGreaterThan(20);
    }
  });

  test('the signatures are accepted, each by its own entry', () => {
    expect(match(rawCase, MiB, observation(RAW))).toEqual(['map-raw-one-allocated-extent']);
    expect(match(vpcCase, VPC_SIZE, observation(VPC))).toEqual(['map-vpc-unallocated-not-present']);
    expect(match(clippedCase, MiB, observation(CLIPPED))).toEqual(['map-window-clipped-to-allocation-unit']);
  });

  test('a crash, a hang or a failure in the same class is a finding', () => {
    for (const [c, size, data] of [[rawCase, MiB, RAW], [vpcCase, VPC_SIZE, VPC], [clippedCase, MiB, CLIPPED]] as const) {
      expect(match(c, size, observation(data, 'candidate-crash', exited(0), signaled('SIGSEGV')))).toBeUndefined();
      expect(match(c, size, observation(data, 'candidate-timeout', exited(0), timedOut(1000)))).toBeUndefined();
      expect(match(c, size, observation(data, 'exit-status', exited(0), exited(1)))).toBeUndefined();
    }
  });

  test('any other difference in the same class is a finding', () => {
    // raw: a byte the reference maps as data reported zero; two extents; a span past the window; a broken spec claim.
    const zeroOverData = { where: 'inside', reference: 'present,-zero,data', candidate: 'present,zero,-data' } as const;
    expect(match(rawCase, MiB, observation({ ...RAW, transitions: [...RAW.transitions, zeroOverData] }))).toBeUndefined();
    expect(match(rawCase, MiB, observation({ ...RAW, candidateExtents: 2 }))).toBeUndefined();
    expect(match(rawCase, MiB, observation({ ...RAW, candidateSpan: [0, 2 * MiB] }))).toBeUndefined();
    expect(match(rawCase, MiB, observation({ ...RAW, candidateMeetsSpec: false }))).toBeUndefined();
    // vpc: not-present over data, or zero flipped too.
    expect(match(vpcCase, VPC_SIZE, observation({ ...VPC, transitions: [{ where: 'inside', reference: 'present,-zero,data', candidate: '-present,-zero,data' }] }))).toBeUndefined();
    expect(match(vpcCase, VPC_SIZE, observation({ ...VPC, transitions: [{ where: 'inside', reference: 'present,zero,-data', candidate: '-present,-zero,-data' }] }))).toBeUndefined();
    // clipping: a difference inside the window, a widening past the unit, a span that is not the widened window.
    expect(match(clippedCase, MiB, observation({ ...CLIPPED, transitions: [...CLIPPED.transitions, { where: 'inside', reference: 'present,zero,-data', candidate: 'present,-zero,data' }] }))).toBeUndefined();
    expect(match(clippedCase, MiB, observation({ ...CLIPPED, candidateSpan: [0, 131072], differenceSpan: [0, 131072] }))).toBeUndefined();
    expect(match(clippedCase, MiB, observation({ ...CLIPPED, candidateSpan: [0, 4000], differenceSpan: [0, 1000] }))).toBeUndefined();
  });

  test('outside its class an entry does not apply: the same outcome on another format or an aligned window is a finding', () => {
    const qcow2 = { ...rawCase, source: { ...clippedCase.source } };
    expect(match(qcow2, MiB, observation(RAW))).toBeUndefined();
    expect(match({ ...vpcCase, source: { ...vpcCase.source, layout: { format: 'vpc', subformat: 'fixed' } } }, VPC_SIZE, observation(VPC))).toBeUndefined();
    const aligned: MapCase = { ...clippedCase, start: { kind: 'bytes', n: 0 }, length: { kind: 'bytes', n: 65536 } };
    expect(match(aligned, MiB, observation({ ...CLIPPED, window: [0, 65536] }))).toBeUndefined();
  });
});

describe("the fake instar with instar's three map quirks passes the map property, through the whitelist", () => {
  const quirks = 'map-raw-one-extent,map-vpc-not-present,map-clip-units';
  beforeAll(() => {
    process.env['FAKE_INSTAR_QUIRKS'] = quirks;
  });
  afterAll(() => {
    delete process.env['FAKE_INSTAR_QUIRKS'];
  });

  test('every divergence is accepted, and each entry is hit', async () => {
    const env: Record<string, string | undefined> = { ...process.env, INSTAR: join(PROJECT_ROOT, 'test/fake-instar/instar') };
    delete env['CANDIDATE'];
    const tools = await resolveTools(env);
    expect(tools.candidate.dialect).toBe('instar');
    // The fake is a shell script calling qemu-img several times per call: on
    // a loaded machine it may need more than the 1 s floor.
    const mapEnvironment = { ...mapEnv(tools), candidateTime: { floorMs: 20_000, factor: 10 } };
    // The three entries' classes: raw, dynamic VHD, windows given.
    const inClass = mapCaseArbitrary.filter((c) => {
      const { layout } = c.source;
      return layout.format === 'raw' || (layout.format === 'vpc' && layout.subformat === 'dynamic') || c.start.kind !== 'absent';
    });
    try {
      await fc.assert(fc.asyncProperty(inClass, (c) => checkMapCase(mapEnvironment, c)), { seed: 10, numRuns: 20 });
      for (const entry of mapWhitelist) expect(mapEnvironment.stats.hitCounts.get(entry.id) ?? 0, entry.id).toBeGreaterThan(0);
    } finally {
      await mapEnvironment.images.dispose();
    }
  });
});
