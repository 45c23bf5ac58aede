import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { measureCaseArbitrary, qemuMeasures, type MeasureCase } from '../arbitraries/measure-case.ts';
import type { ResolvedTools } from '../config/resolve-tools.ts';
import { checkMeasureCase, type MeasurePropertyEnv } from '../properties/measure.ts';
import { measureEnv } from '../properties/measure-env.ts';
import { skippedCount } from '../properties/check-summary.ts';
import { findCounterexample } from './support/find-counterexample.ts';
import { runReproOf } from './support/run-repro.ts';
import { calibrationTools, mutantPath, toolsWithCandidate } from './support/tools.ts';

let disposeEnv: (() => Promise<void>) | undefined;
afterEach(async () => {
  await disposeEnv?.();
  disposeEnv = undefined;
});

function envWith(tools: ResolvedTools): MeasurePropertyEnv {
  const env = measureEnv(tools, 30_000);
  disposeEnv = env.dispose;
  return env;
}

const envFor = async (mutant: string): Promise<MeasurePropertyEnv> => envWith(await toolsWithCandidate(mutantPath(mutant)));

/** Only the targets qemu-img cannot measure: the self-checked ones. */
const selfCheckedArbitrary: fc.Arbitrary<MeasureCase> = measureCaseArbitrary.filter((c) => !qemuMeasures(c.target.format));

function violatedBounds(data: Readonly<Record<string, unknown>>): string[] {
  return (data['violations'] as Array<{ bound: string }>).map((v) => v.bound);
}

/**
 * Each mutant wraps qemu-img. The measure property must catch the bug AND
 * shrink to the minimal case the bug allows; "minimal" is spelled out per
 * mutant.
 */
describe('measure property against bug-injecting candidates', () => {
  test("instar's fixed-VHD source bug (exit 1 on fixed vpc sources): shrinks to an empty fixed vpc measured to raw", async () => {
    const env = await envFor('measure-fixed-vhd-source.sh');
    const found = await findCounterexample(measureCaseArbitrary, (c) => checkMeasureCase(env, c), { seed: 4, numRuns: 300 });
    // Minimal: the source must be a fixed vpc (the only trigger); everything
    // else takes its simplest value: 1 byte, no data, no bitmaps, a raw
    // target with no options, JSON output.
    expect(found.value).toEqual({
      input: { kind: 'source', source: { layout: { format: 'vpc', subformat: 'fixed' }, size: 1, extents: [] }, bitmaps: [] },
      target: { format: 'raw', options: [] },
      output: 'json',
    });
    expect(found.finding.divergence.kind).toBe('exit-status');
    expect(found.finding.divergence.data).toEqual({ referenceExit: 0, candidateExit: 1 });
    const repro = await runReproOf(found.finding, env.candidate);
    expect(repro.output).toContain('exit status differs');
    expect(repro.code, repro.output).toBe(1);
  });

  test('required one cluster too large with extended_l2=on (a number only): shrinks to that one option on the smallest input', async () => {
    const env = await envFor('measure-extended-l2-off-by-cluster.sh');
    const found = await findCounterexample(measureCaseArbitrary, (c) => checkMeasureCase(env, c), { seed: 8, numRuns: 300 });
    // Minimal: a qcow2 target with extended_l2=on and no other option (so
    // 64 KiB clusters); the input takes its simplest value, an empty 1-byte
    // raw source; JSON output.
    expect(found.value).toEqual({
      input: { kind: 'source', source: { layout: { format: 'raw' }, size: 1, extents: [] }, bitmaps: [] },
      target: { format: 'qcow2', options: [['extended_l2', 'on']] },
      output: 'json',
    });
    // Exit codes agree; only `required` differs, by exactly one cluster.
    expect(found.finding.divergence.kind).toBe('metadata');
    const fields = found.finding.divergence.data['fields'] as Array<{ field: string; reference: number; candidate: number }>;
    expect(fields.map((f) => f.field)).toEqual(['required']);
    expect((fields[0]?.candidate ?? 0) - (fields[0]?.reference ?? 0)).toBe(65536);
  });

  test('calibration: qemu-img refuses vmdk, vpc and vhdx targets, so every such case is skipped with a counted reason', async () => {
    const env = envWith(await calibrationTools());
    const details = await fc.check(fc.asyncProperty(selfCheckedArbitrary, (c) => checkMeasureCase(env, c)), { seed: 2, numRuns: 15 });
    expect(details.failed).toBe(false);
    expect(env.stats.runs).toBe(15);
    expect(skippedCount(env.stats, 'candidate does not measure')).toBe(15);
  });

  test('self-check, fully-allocated bound: a candidate answering raw figures for vmdk/vpc/vhdx is caught on the smallest input', async () => {
    const env = await envFor('measure-self-raw-numbers.sh');
    const found = await findCounterexample(selfCheckedArbitrary, (c) => checkMeasureCase(env, c), { seed: 6, numRuns: 100 });
    // Minimal: every input is a counterexample (each format's own output is
    // longer than the guest data), so the input and target shrink to their
    // simplest: an empty 1-byte raw source, vmdk without options, JSON.
    expect(found.value).toEqual({
      input: { kind: 'source', source: { layout: { format: 'raw' }, size: 1, extents: [] }, bitmaps: [] },
      target: { format: 'vmdk', options: [] },
      output: 'json',
    });
    expect(found.finding.divergence.kind).toBe('bound');
    expect(violatedBounds(found.finding.divergence.data)).toContain("fully-allocated >= own output's length");
    // repro.sh checks the same bounds with bash, qemu-img and the candidate alone.
    const repro = await runReproOf(found.finding, env.candidate);
    expect(repro.output).toContain('fully-allocated < own output length');
    expect(repro.code, repro.output).toBe(1);
  });

  test('self-check, required bound: a candidate answering required=0 is caught once qemu-img output stores data', async () => {
    const env = await envFor('measure-self-required-zero.sh');
    const found = await findCounterexample(selfCheckedArbitrary, (c) => checkMeasureCase(env, c), { seed: 6, numRuns: 100 });
    // Only the required bound can fail (fully-allocated is ample), and only
    // when qemu-img's output stores guest data. Minimal: the first
    // self-checked target (vmdk, no options) stores data only where the
    // source has some, so the simplest input with data: a 1-byte raw source
    // holding one 1-byte extent (an empty fixed vpc would be as small; the
    // shrinker meets vmdk first).
    expect(found.value).toEqual({
      input: { kind: 'source', source: { layout: { format: 'raw' }, size: 1, extents: [{ offset: 0, length: 1, fill: 18 }] }, bitmaps: [] },
      target: { format: 'vmdk', options: [] },
      output: 'json',
    });
    expect(found.finding.divergence.kind).toBe('bound');
    expect(violatedBounds(found.finding.divergence.data)).toEqual(["required >= qemu-img output's data"]);
  });
});
