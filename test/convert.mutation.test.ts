import { describe, expect, test } from 'vitest';
import { compressionPromise, convertCaseArbitrary } from '../arbitraries/convert-case.ts';
import type { ResolvedTools } from '../config/resolve-tools.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { checkConvertCase, type ConvertPropertyEnv } from '../properties/convert.ts';
import { ddEnv } from './support/dd-env.ts';
import { findCounterexample } from './support/find-counterexample.ts';
import { mutantPath, toolsWithCandidate } from './support/tools.ts';

function convertEnv(tools: ResolvedTools): ConvertPropertyEnv {
  return { ...ddEnv(tools), stats: new RunStats('convert') };
}

/**
 * Each mutant wraps qemu-img and injects one convert bug. The convert
 * property must catch it AND shrink to the minimal case the bug allows;
 * "minimal" is spelled out per mutant.
 */
describe('convert property against bug-injecting candidates', () => {
  test('compression silently dropped: caught by the compression oracle from one byte of data, qcow2 -c', async () => {
    const env = convertEnv(await toolsWithCandidate(mutantPath('convert-drops-compression.sh')));
    const found = await findCounterexample(convertCaseArbitrary, (c) => checkConvertCase(env, c), { seed: 4, numRuns: 300 });
    const { source, target, compress } = found.value;
    // Minimal: the content is right, so only a promise of compression and
    // something to compress expose the bug: the smallest source (raw, one
    // extent of one non-zero byte) and qcow2 -c with no other option (qcow2
    // comes before vmdk, and streamOptimized would need an option).
    expect(source.layout.format).toBe('raw');
    expect(source.extents).toHaveLength(1);
    expect(source.extents[0]?.length).toBe(1);
    expect(source.extents[0]?.fill).not.toBe(0);
    expect(target).toEqual({ format: 'qcow2', options: [] });
    expect(compress).toBe(true);
    expect(found.finding.divergence.kind).toBe('compression');
    expect(found.finding.divergence.data['compressedClusters']).toBe(0);
  });

  test('streamOptimized written as monolithicSparse: caught from an empty raw source by the vmdk header signal', async () => {
    const env = convertEnv(await toolsWithCandidate(mutantPath('convert-drops-compression.sh')));
    const streamCases = convertCaseArbitrary.filter((c) => compressionPromise(c) === 'vmdk-stream-optimized');
    const found = await findCounterexample(streamCases, (c) => checkConvertCase(env, c), { seed: 5, numRuns: 100 });
    const { source, target, compress } = found.value;
    // Minimal: a streamOptimized target must be streamOptimized whatever the
    // data, so nothing else is needed: the smallest raw source, no data, no
    // -c and no other option.
    expect(source).toEqual({ layout: { format: 'raw' }, size: 1, extents: [] });
    expect(target).toEqual({ format: 'vmdk', options: [['subformat', 'streamOptimized']] });
    expect(compress).toBe(false);
    expect(found.finding.divergence.kind).toBe('compression');
    expect(found.finding.divergence.data['createType']).toBe('monolithicSparse');
  });

  test('last partial qcow2 cluster not written: a content divergence from a one-byte raw source', async () => {
    const env = convertEnv(await toolsWithCandidate(mutantPath('convert-qcow2-drops-tail.sh')));
    const found = await findCounterexample(convertCaseArbitrary, (c) => checkConvertCase(env, c), { seed: 9, numRuns: 300 });
    const { source, target, compress } = found.value;
    // Minimal: a qcow2 target without options (default 64 KiB clusters, so
    // any small image is one partial cluster), the smallest source size and
    // one non-zero byte that the lost cluster held.
    expect(target).toEqual({ format: 'qcow2', options: [] });
    expect(compress).toBe(false);
    expect(source.layout.format).toBe('raw');
    expect(source.size).toBe(1);
    expect(source.extents).toEqual([{ offset: 0, length: 1, fill: source.extents[0]?.fill }]);
    expect(source.extents[0]?.fill).not.toBe(0);
    expect(found.finding.divergence.kind).toBe('content');
    expect(found.finding.divergence.data['offset']).toBe(0);
  });

  test('fixed VHD taken for raw: the footer is copied as data, shrunk to an empty fixed VHD to raw', async () => {
    const env = convertEnv(await toolsWithCandidate(mutantPath('convert-fixed-vhd-as-raw.sh')));
    const found = await findCounterexample(convertCaseArbitrary, (c) => checkConvertCase(env, c), { seed: 21, numRuns: 300 });
    const { source, target, compress } = found.value;
    // Minimal: only the source layout matters (a fixed VHD); it needs no
    // data, the target shrinks to raw without options, and the output is one
    // sector too long with a non-zero tail (the footer), not a zero tail.
    expect(source.layout).toEqual({ format: 'vpc', subformat: 'fixed' });
    expect(source.extents).toEqual([]);
    expect(source.size).toBe(1);
    expect(target).toEqual({ format: 'raw', options: [] });
    expect(compress).toBe(false);
    expect(found.finding.divergence.kind).toBe('virtual-size');
    const { referenceSize, candidateSize, onlyZeroTail } = found.finding.divergence.data;
    expect(candidateSize).toBe(Number(referenceSize) + 512);
    expect(onlyZeroTail).toBe(false);
  });
});
