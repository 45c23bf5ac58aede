import { describe, expect, test } from 'vitest';
import type { BenchOpCase } from '../arbitraries/bench-op-case.ts';
import type { Termination } from '../drivers/process-outcome.ts';
import { firstOverrun, requestOffsets } from '../oracles/bench-op-model.ts';
import { divergence, type DivergenceKind, type JsonValue, type Observation } from '../oracles/divergence.ts';
import { benchOpFactsOf } from '../properties/bench-op.ts';
import { BENCH_FAILED_REQUEST_MESSAGE, benchOpWhitelist, matchWhitelist, type WhitelistTally } from '../whitelist.ts';
import { exited, signaled, syntheticOutcome, timedOut } from './support/synthetic-outcome.ts';

const silent: WhitelistTally = { eligible: () => undefined, hit: () => undefined };
const SIZE = 8192;

/**
 * 2 writes of 1000 bytes from 0, step 7500, on 8192 bytes: qemu-img puts
 * the second at 7500 (mod 8192), whose buffer runs past the end; QEMU
 * master's rule puts it at 308 (mod 7192), inside.
 */
const wrapping: BenchOpCase = {
  source: { layout: { format: 'raw' }, size: SIZE, extents: [{ offset: 0, length: 512, fill: 0x11 }] },
  write: true,
  count: 2,
  depth: 1,
  bufferSize: 1000,
  step: 7500,
  pattern: 0xab,
  offsetPermille: 0,
  flush: null,
};

function observation(
  kind: DivergenceKind = 'exit-status',
  data: Record<string, JsonValue> = { referenceExit: 1, candidateExit: 0, referenceMessage: BENCH_FAILED_REQUEST_MESSAGE, candidateResultSound: true },
  reference: Termination = exited(1),
  candidate: Termination = exited(0),
): Observation {
  return { divergence: divergence(kind, 'synthetic', '', data), reference: syntheticOutcome(reference), candidate: syntheticOutcome(candidate) };
}

const match = (c: BenchOpCase, o: Observation, version: '7.2' | '10.0' = '7.2'): string | undefined =>
  matchWhitelist(benchOpWhitelist, benchOpFactsOf(c, SIZE), o, silent, version)?.id;
const ENTRY = 'bench-wrap-rule';

describe('the bench model', () => {
  test('the first request is -o unwrapped; later ones wrap by the rule', () => {
    const schedule = { count: 4, bufferSize: 1000, step: 3000, offset: 500 };
    // qemu-img 7.2.22 and 10.0.2 wrote exactly these (checked by hand: 500, 3500, 6500, then 9500 mod 8192 = 1308).
    expect(requestOffsets(schedule, SIZE, 'whole-size')).toEqual([500, 3500, 6500, 1308]);
    expect(requestOffsets(schedule, SIZE, 'usable-range')).toEqual([500, 3500, 6500, 2308]);
    expect(requestOffsets({ ...schedule, step: 0 }, SIZE, 'whole-size')).toEqual([500, 1500, 2500, 3500]);
    expect(firstOverrun({ count: 2, bufferSize: 1000, step: 7500, offset: 0 }, SIZE, 'whole-size')).toBe(7500);
  });

  test('the example case is in the class: only the whole-size rule overruns', () => {
    const { schedule } = benchOpFactsOf(wrapping, SIZE);
    expect(firstOverrun(schedule, SIZE, 'whole-size')).toBe(7500);
    expect(requestOffsets(schedule, SIZE, 'usable-range')).toEqual([0, 308]);
    expect(firstOverrun(schedule, SIZE, 'usable-range')).toBeUndefined();
  });
});

describe('the bench whitelist entry accepts its one signature and nothing else in its class', () => {
  test('one documented entry per divergence section 10 lists that the arbitrary can meet, each for both reference versions', () => {
    expect(benchOpWhitelist.map((e) => e.id)).toEqual([ENTRY, 'bench-write-formats-limited', 'bench-raw-without-partition-table']);
    for (const e of benchOpWhitelist) expect([e.id, e.documentedAt, e.knownFor]).toEqual([e.id, expect.stringContaining('instar-ops.md section 10'), 'all']);
    const [entry] = benchOpWhitelist;
    expect(entry?.documentedAt).toContain('instar-ops.md section 10');
    expect(entry?.knownFor).toBe('all');
    expect(entry?.signature).toContain(BENCH_FAILED_REQUEST_MESSAGE);
  });

  test('the signature is accepted, after -w and after a read, against 7.2 and 10.0', () => {
    expect(match(wrapping, observation())).toBe(ENTRY);
    expect(match({ ...wrapping, write: false }, observation())).toBe(ENTRY);
    expect(match(wrapping, observation(), '10.0')).toBe(ENTRY);
  });

  test('a crash, a hang, a wrong result or another failure in the same class is a finding', () => {
    expect(match(wrapping, observation('candidate-crash', { signal: 'SIGSEGV' }, exited(1), signaled('SIGSEGV')))).toBeUndefined();
    expect(match(wrapping, observation('candidate-timeout', { afterMs: 1000 }, exited(1), timedOut(1000)))).toBeUndefined();
    // The candidate's image failed the model: properties/bench-op.ts files the problem itself.
    expect(match(wrapping, observation('content', { offset: 308 }))).toBeUndefined();
    expect(match(wrapping, observation('metadata', { document: 'check' }))).toBeUndefined();
    expect(match(wrapping, observation('output-unreadable', { reader: 'qemu-img' }))).toBeUndefined();
    // No soundness verdict, another message, another exit code, the other direction.
    expect(match(wrapping, observation('exit-status', { referenceExit: 1, candidateExit: 0, referenceMessage: BENCH_FAILED_REQUEST_MESSAGE }))).toBeUndefined();
    expect(match(wrapping, observation('exit-status', { referenceExit: 1, candidateExit: 0, referenceMessage: 'qemu-img: Could not open', candidateResultSound: true }))).toBeUndefined();
    expect(match(wrapping, observation('exit-status', undefined, exited(2)))).toBeUndefined();
    expect(match(wrapping, observation('exit-status', { referenceExit: 0, candidateExit: 1 }, exited(0), exited(1)))).toBeUndefined();
  });

  test('outside its class the entry does not apply: no overrun, or an overrun under both rules', () => {
    // (The refusal entries are eligible on this raw source too; nothing here is a refusal.)
    // Step 1000 from 0: never wraps.
    expect(match({ ...wrapping, step: 1000, offsetPermille: 0 }, observation())).toBeUndefined();
    // The first request already runs past the end (-o is not wrapped): both rules fail.
    expect(match({ ...wrapping, offsetPermille: 999 }, observation())).toBeUndefined();
  });
});

describe('instar\'s refusals: -w on vmdk, vpc and vhdx, and raw without a partition table', () => {
  const refusal = (candidateUnchanged: boolean, stderr = 'Error: unknown format\n', candidate: Termination = exited(1)): Observation => ({
    divergence: divergence('exit-status', 'synthetic', '', { referenceExit: 0, candidateExit: 1, candidateUnchanged }),
    reference: syntheticOutcome(exited(0)),
    candidate: syntheticOutcome(candidate, stderr),
  });
  const onFormat = (format: 'vmdk' | 'vpc' | 'vhdx', write: boolean): BenchOpCase => ({
    ...wrapping,
    write,
    source: { layout: format === 'vmdk' ? { format, subformat: 'monolithicSparse' } : format === 'vpc' ? { format, subformat: 'dynamic' } : { format, blockSize: 8388608 }, size: SIZE, extents: [] },
  });
  /** A raw source whose first sector ends in 55AA with one valid partition entry: instar takes it as raw. */
  const partitioned: BenchOpCase = {
    ...wrapping,
    source: {
      layout: { format: 'raw' },
      size: SIZE,
      extents: [
        { offset: 446, length: 1, fill: 0x00 },
        { offset: 450, length: 1, fill: 0x83 },
        { offset: 454, length: 1, fill: 0x01 },
        { offset: 458, length: 1, fill: 0x08 },
        { offset: 510, length: 1, fill: 0x55 },
        { offset: 511, length: 1, fill: 0xaa },
      ],
    },
  };

  test('-w refused on vmdk, vpc and vhdx with the image untouched: accepted; a read refused, or raw/qcow2, is not this entry', () => {
    for (const format of ['vmdk', 'vpc', 'vhdx'] as const) expect(match(onFormat(format, true), refusal(true), '10.0'), format).toBe('bench-write-formats-limited');
    expect(match(onFormat('vpc', false), refusal(true))).toBeUndefined();
  });

  test('a refusal that changed the image, a crash, a hang, or success with other bytes is still a finding', () => {
    const vpc = onFormat('vpc', true);
    expect(match(vpc, refusal(false))).toBeUndefined();
    expect(match(vpc, refusal(true, '', signaled('SIGSEGV')))).toBeUndefined();
    expect(match(vpc, refusal(true, '', timedOut(1000)))).toBeUndefined();
    expect(match(vpc, observation('content', { offset: 0 }, exited(0), exited(0)))).toBeUndefined();
  });

  test('raw without a partition table refused with "unknown format", untouched: accepted; another message, a touched image or a partitioned raw file is a finding', () => {
    const raw = { ...wrapping, write: false };
    expect(match(raw, refusal(true))).toBe('bench-raw-without-partition-table');
    expect(match(raw, refusal(true, 'Error: permission denied\n'))).toBeUndefined();
    expect(match(raw, refusal(false))).toBeUndefined();
    expect(benchOpFactsOf(partitioned, SIZE).hasPartitionTable).toBe(true);
    expect(match(partitioned, refusal(true))).toBeUndefined();
  });
});
