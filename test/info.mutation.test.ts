import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { infoCaseArbitrary } from '../arbitraries/info-case.ts';
import type { ResolvedTools } from '../config/resolve-tools.ts';
import { ImageCache } from '../images/materialise.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkInfoCase, type InfoPropertyEnv } from '../properties/info.ts';
import { findCounterexample } from './support/find-counterexample.ts';
import { mutantPath, toolsWithCandidate } from './support/tools.ts';

function infoEnv(tools: ResolvedTools): InfoPropertyEnv {
  const qemuImg = tools.reference.command[0] ?? 'qemu-img';
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    timeoutMs: 30_000,
    images: new ImageCache({ qemuImg, qemuIo: tools.qemuIo, timeoutMs: 30_000 }),
    stats: new RunStats('info'),
  };
}

/**
 * Each mutant wraps qemu-img and injects one info bug. The info property
 * must catch it AND shrink to the minimal case the bug allows; "minimal" is
 * spelled out per mutant. The whitelist entry is tested both ways: instar's
 * documented refusal passes, the same refusal of a partitioned raw file fails.
 */
describe('info property against bug-injecting candidates', () => {
  test('create-type misreported (metadata only): caught in format-specific from an empty streamOptimized vmdk', async () => {
    const env = infoEnv(await toolsWithCandidate(mutantPath('info-stream-as-sparse.sh')));
    const found = await findCounterexample(infoCaseArbitrary, (c) => checkInfoCase(env, c), { seed: 1, numRuns: 300 });
    // Minimal: the layout is the trigger; size, data and MBR play no part,
    // so they shrink to the smallest size with no extents at all.
    expect(found.value.source).toEqual({ layout: { format: 'vmdk', subformat: 'streamOptimized' }, size: 1, extents: [] });
    expect(found.finding.divergence.kind).toBe('metadata');
    expect(found.finding.divergence.data['paths']).toEqual(['format-specific.data.create-type']);
  });

  test('qcow2 cluster size misreported (one number): shrunk to 512-byte clusters, no data', async () => {
    const env = infoEnv(await toolsWithCandidate(mutantPath('info-qcow2-default-cluster.sh')));
    const found = await findCounterexample(infoCaseArbitrary, (c) => checkInfoCase(env, c), { seed: 2, numRuns: 300 });
    // Minimal: a qcow2 source whose cluster size is not the default, with
    // cluster bits shrunk to the smallest (9, 512 bytes), no optional
    // features, the smallest size and no data.
    expect(found.value.source).toEqual({
      layout: { format: 'qcow2', clusterSize: 512, extendedL2: false, lazyRefcounts: false },
      size: 1,
      extents: [],
    });
    expect(found.finding.divergence.kind).toBe('metadata');
    expect(found.finding.divergence.data['paths']).toEqual(['cluster-size']);
  });

  test('fixed VHD detected from sector 0 only (metadata): reported as raw, shrunk to an empty fixed VHD', async () => {
    const env = infoEnv(await toolsWithCandidate(mutantPath('info-fixed-vhd-probed-as-raw.sh')));
    const found = await findCounterexample(infoCaseArbitrary, (c) => checkInfoCase(env, c), { seed: 6, numRuns: 300 });
    // Minimal: the fixed-VHD layout is the trigger; no size, data or MBR is
    // needed. Probed as raw, the footer counts as data: format and size differ.
    expect(found.value.source).toEqual({ layout: { format: 'vpc', subformat: 'fixed' }, size: 1, extents: [] });
    expect(found.finding.divergence.kind).toBe('metadata');
    expect(found.finding.divergence.data['paths']).toEqual(['virtual-size', 'format']);
  });

  test('exit status only: a correct vhdx report with exit 1, shrunk to an empty vhdx with 1 MiB blocks', async () => {
    const env = infoEnv(await toolsWithCandidate(mutantPath('info-vhdx-exit-status.sh')));
    const found = await findCounterexample(infoCaseArbitrary, (c) => checkInfoCase(env, c), { seed: 7, numRuns: 300 });
    // Minimal: the vhdx layout is the trigger; the block size shrinks to its
    // first choice (1 MiB), the size to 1 byte, and there is no data or MBR.
    expect(found.value.source).toEqual({ layout: { format: 'vhdx', blockSize: 1024 * 1024 }, size: 1, extents: [] });
    expect(found.finding.divergence.kind).toBe('exit-status');
    expect(found.finding.divergence.data).toMatchObject({ referenceExit: 0, candidateExit: 1 });
    // Only the status differs: the report itself is qemu-img's, byte for byte.
    expect(found.finding.candidate.stdout).toBe(found.finding.reference.stdout);
  });

  test('human size formatting (text only): the JSON agrees, the human line differs, on raw without data', async () => {
    const env = infoEnv(await toolsWithCandidate(mutantPath('info-human-decimal-size.sh')));
    const found = await findCounterexample(infoCaseArbitrary, (c) => checkInfoCase(env, c), { seed: 3, numRuns: 300 });
    // Minimal: raw, no data, no MBR, and the smallest requested size that
    // gives its virtual size (one byte past a 512 multiple; qemu-img rounds
    // up). The sizes that print one decimal (1.5 KiB, 2.5 KiB, …, 16.5 KiB)
    // are not one interval, so the shrinker may stop at any of them, not
    // necessarily 1.5 KiB.
    const { source } = found.value;
    expect(source.layout.format).toBe('raw');
    expect(source.extents).toEqual([]);
    expect(source.size % 512).toBe(1);
    expect(found.finding.divergence.kind).toBe('output-text');
    expect(found.finding.divergence.data['reference']).toBe(`virtual size: ${(source.size + 511) / 1024} KiB (${source.size + 511} bytes)`);
  });

  test("instar's documented refusal of raw files without a partition table is accepted, and only that", async () => {
    const env = infoEnv(await toolsWithCandidate(mutantPath('info-refuses-unpartitioned-raw.sh')));
    // Raw sources only: the entry's class and its partitioned neighbours.
    const rawCases = infoCaseArbitrary.filter((c) => c.source.layout.format === 'raw');
    await fc.assert(fc.asyncProperty(rawCases, (c) => checkInfoCase(env, c)), { seed: 4, numRuns: 40 });
    const eligible = env.stats.eligibleCounts.get('info-raw-without-partition-table') ?? 0;
    // Every eligible case was a refusal, and each one was accepted; the
    // partitioned raw files were not refused (else the property failed).
    expect(eligible).toBeGreaterThan(5);
    expect(eligible).toBeLessThan(40);
    expect(env.stats.hitCounts.get('info-raw-without-partition-table')).toBe(eligible);
  });

  test('refusing a raw file WITH an MBR is caught (exit status), shrunk to the smallest partitioned raw file', async () => {
    const env = infoEnv(await toolsWithCandidate(mutantPath('info-refuses-all-raw.sh')));
    const found = await findCounterexample(infoCaseArbitrary, (c) => checkInfoCase(env, c), { seed: 5, numRuns: 300 });
    // Minimal: raw with the simplest MBR (one inactive Linux partition from
    // LBA 1, which grows the 1-byte image to 2 sectors) and no other data.
    const { source } = found.value;
    expect(source.layout.format).toBe('raw');
    expect(source.size).toBe(1024);
    expect(source.extents).toEqual([
      { offset: 446, length: 64, fill: 0 },
      { offset: 450, length: 1, fill: 0x83 },
      { offset: 454, length: 1, fill: 1 },
      { offset: 458, length: 1, fill: 1 },
      { offset: 510, length: 1, fill: 0x55 },
      { offset: 511, length: 1, fill: 0xaa },
    ]);
    expect(found.finding.divergence.kind).toBe('exit-status');
    expect(found.finding.inputClasses).toContain('partition-table');
  });
});
