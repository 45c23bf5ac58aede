import { describe, expect, test } from 'vitest';
import { ddCaseArbitrary, resolveDdWindow } from '../arbitraries/dd-case.ts';
import { checkDdCase } from '../properties/dd.ts';
import { ddEnv } from './support/dd-env.ts';
import { findCounterexample } from './support/find-counterexample.ts';
import { mutantPath, toolsWithCandidate } from './support/tools.ts';

/**
 * Each mutant wraps qemu-img and injects one realistic dd bug. The dd
 * property must catch it AND shrink to the minimal case the bug allows;
 * "minimal" is spelled out per mutant.
 */
describe('dd property against bug-injecting candidates', () => {
  test('GNU count-after-skip semantics: shrinks to count=1 skip=1, raw to raw, no data', async () => {
    const env = ddEnv(await toolsWithCandidate(mutantPath('dd-gnu-count.sh')));
    const found = await findCounterexample(ddCaseArbitrary, (c) => checkDdCase(env, c), { seed: 42, numRuns: 300 });
    const source = await env.images.get(found.value.source);
    const window = resolveDdWindow(found.value, source.virtualSize);
    // Minimal: the bug needs both operands, the smallest values that differ
    // are count=1 skip=1, and neither data nor formats play a part.
    expect(window.count).toBe(1);
    expect(window.skip).toBe(1);
    expect(found.value.source.layout.format).toBe('raw');
    expect(found.value.source.extents).toEqual([]);
    expect(found.value.target).toBe('raw');
    expect(found.finding.divergence.kind).toBe('virtual-size');
  });

  test('raw output rounded to 4 KiB: caught as a size divergence with a zero tail, raw target, no data', async () => {
    const env = ddEnv(await toolsWithCandidate(mutantPath('dd-raw-rounds-4k.sh')));
    const found = await findCounterexample(ddCaseArbitrary, (c) => checkDdCase(env, c), { seed: 7, numRuns: 300 });
    // Minimal: only the target matters; the source shrinks to raw with no
    // data, and the divergence is size alone (the content is otherwise equal).
    expect(found.value.target).toBe('raw');
    expect(found.value.source.layout.format).toBe('raw');
    expect(found.value.source.extents).toEqual([]);
    expect(found.finding.divergence.kind).toBe('virtual-size');
    expect(found.finding.divergence.data['onlyZeroTail']).toBe(true);
  });

  test('hang on -O vpc with a non-512 bs: a candidate timeout, shrunk to the vpc target and bs=1', async () => {
    const env = ddEnv(await toolsWithCandidate(mutantPath('dd-vpc-hang.sh')), 1_500);
    const found = await findCounterexample(ddCaseArbitrary, (c) => checkDdCase(env, c), { seed: 3, numRuns: 300 });
    // Minimal: target vpc and the smallest non-512 block size; the source
    // and the window play no part.
    expect(found.value.target).toBe('vpc');
    expect(found.value.bs).toBe(1);
    expect(found.value.source.layout.format).toBe('raw');
    expect(found.value.source.extents).toEqual([]);
    expect(found.finding.divergence.kind).toBe('candidate-timeout');
  });

  test('small-cluster qcow2 grain bug: content divergence from one data extent, 512-byte qcow2 clusters', async () => {
    const env = ddEnv(await toolsWithCandidate(mutantPath('dd-small-cluster-grain.sh')));
    const found = await findCounterexample(ddCaseArbitrary, (c) => checkDdCase(env, c), { seed: 11, numRuns: 500 });
    const layout = found.value.source.layout;
    // Minimal: a qcow2 source (the bug's trigger) with the smallest cluster,
    // one extent of data (needed to see lost content) and an affected target
    // (vmdk, vpc and vhdx are equally small; shrinking keeps whichever it met).
    expect(layout.format).toBe('qcow2');
    expect(layout.format === 'qcow2' && layout.clusterSize).toBe(512);
    expect(found.value.source.extents).toHaveLength(1);
    expect(['vmdk', 'vpc', 'vhdx']).toContain(found.value.target);
    expect(found.finding.divergence.kind).toBe('content');
  });
});
