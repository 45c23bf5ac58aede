import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { checkCaseArbitrary, type CheckCase } from '../arbitraries/check-case.ts';
import { imageSpecArbitrary } from '../arbitraries/image-spec.ts';
import { checkCheckCase, type CheckPropertyEnv } from '../properties/check.ts';
import { checkEnv } from '../properties/check-env.ts';
import { findCounterexample } from './support/find-counterexample.ts';
import { runReproOf } from './support/run-repro.ts';
import { mutantPath, toolsWithCandidate } from './support/tools.ts';

/** Clean vpc images only: the one input class of the vpc whitelist entry. */
const cleanVpcArbitrary: fc.Arbitrary<CheckCase> = imageSpecArbitrary
  .filter((s) => s.layout.format === 'vpc')
  .map((source): CheckCase => ({ kind: 'clean', source }));

let disposeEnv: (() => Promise<void>) | undefined;
afterEach(async () => {
  await disposeEnv?.();
  disposeEnv = undefined;
});

async function envFor(mutant: string): Promise<CheckPropertyEnv> {
  const env = checkEnv(await toolsWithCandidate(mutantPath(mutant)), 30_000);
  disposeEnv = env.dispose;
  return env;
}

/**
 * Each mutant wraps qemu-img. The check property must catch the bug AND
 * shrink to the minimal case the bug allows; "minimal" is spelled out per
 * mutant.
 */
describe('check property against bug-injecting candidates', () => {
  test('leaks reported as corruptions (exit 2 for 3, JSON unchanged): shrinks to one leaked cluster in the smallest qcow2', async () => {
    const env = await envFor('check-leaks-exit-2.sh');
    const found = await findCounterexample(checkCaseArbitrary, (c) => checkCheckCase(env, c), { seed: 5, numRuns: 300 });
    const value = found.value;
    // Minimal: a corrupted case (clean images never leak) whose fault is the
    // first kind, a leak, which leaks and nothing else; the base image is a
    // plain qcow2 (cluster size plays no part, so it ends at one of the
    // arbitrary's two simplest values: the 64 KiB default or 512 bytes),
    // 1 byte long, with the single 1-byte extent the corruption arbitrary
    // always writes.
    expect(value.kind).toBe('corrupt');
    expect(value.kind === 'corrupt' && value.fault).toEqual({ kind: 'leak', site: 0 });
    expect(value.source.layout).toMatchObject({ format: 'qcow2', extendedL2: false, lazyRefcounts: false });
    expect([512, 65536]).toContain(value.source.layout.format === 'qcow2' && value.source.layout.clusterSize);
    expect(value.source.size).toBe(1);
    expect(value.source.extents).toHaveLength(1);
    expect(value.source.extents[0]?.length).toBe(1);
    // Only the exit code differs.
    expect(found.finding.divergence.kind).toBe('exit-code');
    expect(found.finding.divergence.data).toEqual({ referenceExit: 3, candidateExit: 2 });
    // repro.sh rebuilds the corrupted image with qemu-img/qemu-io byte edits
    // and shows the same divergence without Node.js.
    const repro = await runReproOf(found.finding, env.candidate);
    expect(repro.output).toContain('exit codes differ');
    expect(repro.output).toContain('JSON fields agree');
    expect(repro.code, repro.output).toBe(1);
  });

  test('a candidate that also checks vpc and finds clean images clean: every vpc case is accepted by the whitelist', async () => {
    const env = await envFor('check-vpc-checked.sh');
    const details = await fc.check(fc.asyncProperty(cleanVpcArbitrary, (c) => checkCheckCase(env, c)), { seed: 9, numRuns: 20 });
    expect(details.failed).toBe(false);
    expect(env.stats.eligibleCounts.get('check-vpc-unchecked-by-reference')).toBe(20);
    expect(env.stats.hitCounts.get('check-vpc-unchecked-by-reference')).toBe(20);
  });

  test('the vpc whitelist entry is narrow: exit 0 with a leak in the report is a finding, shrunk to the smallest vpc', async () => {
    const env = await envFor('check-vpc-checked-leaky.sh');
    const found = await findCounterexample(cleanVpcArbitrary, (c) => checkCheckCase(env, c), { seed: 9, numRuns: 20 });
    // Minimal: any clean vpc shows it; the smallest is dynamic, 1 byte, no data.
    expect(found.value.source).toEqual({ layout: { format: 'vpc', subformat: 'dynamic' }, size: 1, extents: [] });
    expect(found.finding.divergence.kind).toBe('exit-status');
    expect(found.finding.divergence.data).toEqual({ referenceExit: 63, candidateExit: 0 });
  });
});
