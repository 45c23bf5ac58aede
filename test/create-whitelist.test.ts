import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createCaseArbitraryOf, type CreateCase } from '../arbitraries/create-case.ts';
import type { KeyValue } from '../drivers/requests.ts';
import { divergence, type JsonValue, type Observation } from '../oracles/divergence.ts';
import type { JsonDifference } from '../oracles/info-output.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkCreateCase } from '../properties/create.ts';
import { FindingError, type Finding } from '../reports/finding.ts';
import { createWhitelist, matchCreateWhitelist } from '../whitelist.ts';
import { createEnv } from './support/create-env.ts';
import { exited, syntheticOutcome } from './support/synthetic-outcome.ts';
import { mutantPath, toolsWithCandidate } from './support/tools.ts';

function createCase(target: CreateCase['target'], size: string, bytes: number, options: KeyValue[] = []): CreateCase {
  return { target, size, requestedBytes: String(bytes), options, flaw: null };
}

const d = (path: string, reference: unknown, candidate: unknown): JsonDifference => ({
  path,
  reference: reference === undefined ? '(absent)' : JSON.stringify(reference),
  candidate: candidate === undefined ? '(absent)' : JSON.stringify(candidate),
});

const ok = syntheticOutcome(exited(0));

function infoObservation(c: CreateCase, differences: JsonDifference[]): Observation {
  const data = { document: 'info', differences: differences as unknown as JsonValue, createCase: c as unknown as JsonValue };
  return { divergence: divergence('metadata', 'synthetic', '', data), reference: ok, candidate: ok };
}

function accepted(c: CreateCase, differences: JsonDifference[], stats = new RunStats('create')): string[] | undefined {
  return matchCreateWhitelist({ createCase: c }, infoObservation(c, differences), stats, '7.2')?.map((e) => e.id);
}

const MiB = 1024 * 1024;
const vpc1M = createCase('vpc', '1M', MiB);
const qcow2Refcount8 = createCase('qcow2', '1M', MiB, [['refcount_bits', '8']]);
const qcow2V2 = createCase('qcow2', '1M', MiB, [['compat', '0.10']]);
const qcow2Zstd = createCase('qcow2', '1M', MiB, [['compression_type', 'zstd']]);
const vhdx2G = createCase('vhdx', '2G', 2048 * MiB);

const compatSignature = [
  d('format-specific.data.compat', '0.10', '1.1'),
  d('format-specific.data.lazy-refcounts', undefined, false),
  d('format-specific.data.corrupt', undefined, false),
  d('format-specific.data.extended-l2', undefined, false),
];

describe('create whitelist entries as data: each accepts its one signature', () => {
  test('five entries, each with a reason, a source and a signature', () => {
    expect(createWhitelist.map((e) => e.id)).toEqual([
      'create-vpc-chs-size',
      'create-qcow2-refcount-bits',
      'create-qcow2-compat-0.10',
      'create-qcow2-zstd',
      'create-vhdx-default-block-size',
    ]);
    for (const entry of createWhitelist) {
      expect(entry.operation).toBe('create');
      expect(entry.reason.length).toBeGreaterThan(20);
      expect(entry.documentedAt).toMatch(/FACTS\.md/);
      expect(entry.signature).toMatch(/^only /);
    }
  });

  test('vpc: the CHS-rounded size against the exact size, both numbers exact', () => {
    // qemu's geometry for 1 MiB: 1079296 bytes (checked against qemu-img in vpc-geometry.test.ts).
    expect(accepted(vpc1M, [d('virtual-size', 1079296, MiB)])).toEqual(['create-vpc-chs-size']);
    expect(accepted(vpc1M, [d('virtual-size', 1079296, MiB + 512)])).toBeUndefined();
    expect(accepted(vpc1M, [d('virtual-size', 1079296 + 512, MiB)])).toBeUndefined();
    // An unaligned request: the candidate's size is the request rounded up to a sector.
    const odd = createCase('vpc', '1000', 1000);
    expect(accepted(odd, [d('virtual-size', 34816, 1024)])).toEqual(['create-vpc-chs-size']);
    expect(accepted(odd, [d('virtual-size', 34816, 1000)])).toBeUndefined();
    // force_size=on: qemu-img writes the exact size itself, so nothing is tolerated.
    const forced = createCase('vpc', '1M', MiB, [['force_size', 'on']]);
    expect(accepted(forced, [d('virtual-size', 1079296, MiB)])).toBeUndefined();
  });

  test('qcow2 refcount_bits: 16 where another width was asked, nothing else', () => {
    expect(accepted(qcow2Refcount8, [d('format-specific.data.refcount-bits', 8, 16)])).toEqual(['create-qcow2-refcount-bits']);
    expect(accepted(qcow2Refcount8, [d('format-specific.data.refcount-bits', 8, 32)])).toBeUndefined();
    expect(accepted(qcow2Refcount8, [d('format-specific.data.refcount-bits', 4, 16)])).toBeUndefined();
    const sixteen = createCase('qcow2', '1M', MiB, [['refcount_bits', '16']]);
    expect(accepted(sixteen, [d('format-specific.data.refcount-bits', 16, 8)])).toBeUndefined();
  });

  test('compat=0.10: a default v3 header, all four fields and only those', () => {
    expect(accepted(qcow2V2, compatSignature)).toEqual(['create-qcow2-compat-0.10']);
    expect(accepted(qcow2V2, compatSignature.slice(0, 1))).toBeUndefined();
    expect(accepted(qcow2V2, [...compatSignature.slice(0, 3), d('format-specific.data.extended-l2', undefined, true)])).toBeUndefined();
  });

  test('compression_type=zstd: zlib written, nothing else', () => {
    expect(accepted(qcow2Zstd, [d('format-specific.data.compression-type', 'zstd', 'zlib')])).toEqual(['create-qcow2-zstd']);
    expect(accepted(qcow2Zstd, [d('format-specific.data.compression-type', 'zstd', 'none')])).toBeUndefined();
  });

  test("vhdx default block size: qemu-img's default for the size against 8 MiB, only above 1 GiB", () => {
    expect(accepted(vhdx2G, [d('cluster-size', 16 * MiB, 8 * MiB)])).toEqual(['create-vhdx-default-block-size']);
    expect(accepted(vhdx2G, [d('cluster-size', 32 * MiB, 8 * MiB)])).toBeUndefined();
    expect(accepted(createCase('vhdx', '200G', 200 * 1024 * MiB), [d('cluster-size', 32 * MiB, 8 * MiB)])).toEqual([
      'create-vhdx-default-block-size',
    ]);
    // At 1 GiB both defaults are 8 MiB: no divergence is expected, so none is tolerated.
    expect(accepted(createCase('vhdx', '1G', 1024 * MiB), [d('cluster-size', 8 * MiB, 16 * MiB)])).toBeUndefined();
    const explicit = createCase('vhdx', '2G', 2048 * MiB, [['block_size', '16M']]);
    expect(accepted(explicit, [d('cluster-size', 16 * MiB, 8 * MiB)])).toBeUndefined();
    const explicitDefault = createCase('vhdx', '2G', 2048 * MiB, [['block_size', '0']]);
    expect(accepted(explicitDefault, [d('cluster-size', 16 * MiB, 8 * MiB)])).toEqual(['create-vhdx-default-block-size']);
  });

  test('one more difference in the same case is never tolerated, nor another kind of divergence', () => {
    const extra = d('format-specific.data.lazy-refcounts', false, true);
    expect(accepted(qcow2Refcount8, [d('format-specific.data.refcount-bits', 8, 16), extra])).toBeUndefined();
    expect(accepted(vpc1M, [d('virtual-size', 1079296, MiB), d('cluster-size', 2 * MiB, 512 * 1024)])).toBeUndefined();
    const exitStatus: Observation = { divergence: divergence('exit-status', 'synthetic'), reference: ok, candidate: ok };
    expect(matchCreateWhitelist({ createCase: qcow2Refcount8 }, exitStatus, new RunStats('create'), '7.2')).toBeUndefined();
    const flawed: CreateCase = { ...qcow2Refcount8, flaw: 'compat-0.10-with-v3-feature' };
    expect(accepted(flawed, [d('format-specific.data.refcount-bits', 8, 16)])).toBeUndefined();
  });

  test('two documented gaps asked in one case: each entry takes its own part, both are counted', () => {
    const both = createCase('qcow2', '1M', MiB, [['refcount_bits', '8'], ['compression_type', 'zstd']]);
    const stats = new RunStats('create');
    const parts = [d('format-specific.data.refcount-bits', 8, 16), d('format-specific.data.compression-type', 'zstd', 'zlib')];
    expect(accepted(both, parts, stats)).toEqual(['create-qcow2-refcount-bits', 'create-qcow2-zstd']);
    expect(stats.hitCounts.get('create-qcow2-refcount-bits')).toBe(1);
    expect(stats.hitCounts.get('create-qcow2-zstd')).toBe(1);
    expect(stats.eligibleCounts.get('create-qcow2-zstd')).toBe(1);
    expect(accepted(both, [...parts, d('cluster-size', 65536, 4096)])).toBeUndefined();
    // One of the two fixed: the other still passes alone.
    expect(accepted(both, parts.slice(1))).toEqual(['create-qcow2-zstd']);
  });

  test('entries eligible often and never hit are reported at the end of a run, as warnings', () => {
    const stats = new RunStats('create');
    for (let i = 0; i < 25; i++) accepted(qcow2Zstd, [d('format-specific.data.refcount-bits', 16, 8)], stats);
    for (let i = 0; i < 25; i++) accepted(vpc1M, [d('virtual-size', 1079296, MiB)], stats);
    for (let i = 0; i < 5; i++) accepted(qcow2Refcount8, [d('cluster-size', 1, 2)], stats);
    const warnings = stats.staleWhitelistWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/create-qcow2-zstd was eligible in 25 case\(s\) and never needed/);
  });
});

async function outcomeOf(env: ReturnType<typeof createEnv>, c: CreateCase): Promise<Finding | undefined> {
  try {
    await checkCreateCase(env, c);
    return undefined;
  } catch (error) {
    if (error instanceof FindingError) return error.finding;
    throw error;
  }
}

/**
 * Through real candidates: a wrapper that shows exactly one documented
 * divergence passes, and the same wrapper with one more difference in the
 * same case fails.
 */
describe('create whitelist narrowness through real candidates', () => {
  test('vpc written at the exact size passes, in fixed cases and in random vpc cases', async () => {
    const env = createEnv(await toolsWithCandidate(mutantPath('create-vpc-exact-size.sh')));
    expect(await outcomeOf(env, vpc1M)).toBeUndefined();
    expect(await outcomeOf(env, createCase('vpc', '1000', 1000, [['subformat', 'fixed']]))).toBeUndefined();
    await fc.assert(fc.asyncProperty(createCaseArbitraryOf(['vpc']), (c) => checkCreateCase(env, c)), { seed: 4, numRuns: 30 });
    expect(env.stats.hitCounts.get('create-vpc-chs-size') ?? 0).toBeGreaterThanOrEqual(10);
  });

  test('vpc at the exact size plus a non-zero first sector fails on the content, naming the tolerated part', async () => {
    const env = createEnv(await toolsWithCandidate(mutantPath('create-vpc-exact-size-nonzero.sh')));
    const finding = await outcomeOf(env, vpc1M);
    expect(finding?.divergence.kind).toBe('content');
    expect(finding?.divergence.detail).toMatch(/accepted as documented \(create-vpc-chs-size\)/);
  });

  test('qcow2 rewritten to 16-bit refcounts passes, in fixed cases and in random qcow2 cases', async () => {
    const env = createEnv(await toolsWithCandidate(mutantPath('create-refcount-16.sh')));
    expect(await outcomeOf(env, qcow2Refcount8)).toBeUndefined();
    expect(await outcomeOf(env, createCase('qcow2', '1M', MiB, [['refcount_bits', '1'], ['compression_type', 'zstd']]))).toBeUndefined();
    await fc.assert(fc.asyncProperty(createCaseArbitraryOf(['qcow2']), (c) => checkCreateCase(env, c)), { seed: 6, numRuns: 30 });
    expect(env.stats.hitCounts.get('create-qcow2-refcount-bits') ?? 0).toBeGreaterThanOrEqual(2);
  });

  test('16-bit refcounts plus lazy refcounts turned on fails with both fields in the info difference', async () => {
    const env = createEnv(await toolsWithCandidate(mutantPath('create-refcount-16-lazy.sh')));
    const finding = await outcomeOf(env, qcow2Refcount8);
    expect(finding?.divergence.kind).toBe('metadata');
    const paths = (finding?.divergence.data['differences'] as Array<{ path: string }>).map((x) => x.path).sort();
    expect(paths).toEqual(['format-specific.data.lazy-refcounts', 'format-specific.data.refcount-bits']);
    expect(env.stats.hitCounts.get('create-qcow2-refcount-bits') ?? 0).toBe(0);
  });
});
