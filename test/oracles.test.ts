import { describe, expect, test } from 'vitest';
import { compareContent, describeContentDifference, hexView } from '../oracles/content.ts';
import { compareOutcomes } from '../oracles/outcome.ts';
import { exited, signaled, spawnFailed, syntheticOutcome as run, timedOut } from './support/synthetic-outcome.ts';

function bytes(length: number, set: Record<number, number> = {}): Buffer {
  const b = Buffer.alloc(length);
  for (const [offset, value] of Object.entries(set)) b[Number(offset)] = value;
  return b;
}

describe('content oracle', () => {
  test('equal bytes of equal size: no difference', () => {
    expect(compareContent(bytes(4096, { 7: 1, 4095: 9 }), bytes(4096, { 7: 1, 4095: 9 }))).toBeUndefined();
    expect(compareContent(bytes(0), bytes(0))).toBeUndefined();
  });

  test('a byte difference gives the first offset, the count and a hex view of both sides there', () => {
    const d = compareContent(bytes(64), bytes(64, { 37: 0xab, 40: 0x01 }));
    expect(d).toEqual({
      kind: 'bytes',
      offset: 37,
      differingBytes: 2,
      // The 16-byte row holding offset 37, addressed in hex.
      expectedHex: '00000020: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      actualHex: '00000020: 00 00 00 00 00 ab 00 00 01 00 00 00 00 00 00 00',
    });
    const text = describeContentDifference(d!, 'reference', 'candidate');
    expect(text).toContain('offset 37');
    expect(text).toContain('2 byte(s) differ');
    expect(text).toContain('00000020: 00 00 00 00 00 ab');
  });

  test('differences beyond the first compare chunk are found and all counted', () => {
    const d = compareContent(bytes(3 * 4096, { 5000: 1, 9000: 2 }), bytes(3 * 4096));
    expect(d).toMatchObject({ kind: 'bytes', offset: 5000, differingBytes: 2 });
    expect(d?.kind === 'bytes' && d.expectedHex).toMatch(/^00001380: (00 ){8}01/);
  });

  test('a longer output whose extra bytes are zeros is a size difference, flagged as a zero tail', () => {
    // qemu-img compare without -s calls these identical; this oracle must not.
    const d = compareContent(bytes(512, { 3: 7 }), bytes(4096, { 3: 7 }));
    expect(d).toEqual({ kind: 'size', expectedSize: 512, actualSize: 4096, onlyZeroTail: true, firstDifference: undefined });
    expect(describeContentDifference(d!, 'reference', 'candidate')).toContain('zero tail');
    // Shorter is the same kind of difference.
    expect(compareContent(bytes(4096), bytes(512))).toMatchObject({ kind: 'size', onlyZeroTail: true });
  });

  test('a size difference with data beyond the common prefix is not a zero tail', () => {
    const d = compareContent(bytes(512), bytes(1024, { 1000: 0x55 }));
    expect(d).toMatchObject({ kind: 'size', expectedSize: 512, actualSize: 1024, onlyZeroTail: false, firstDifference: undefined });
    expect(describeContentDifference(d!, 'reference', 'candidate')).not.toContain('zero tail');
  });

  test('a size difference with a differing common prefix names the first differing byte', () => {
    const d = compareContent(bytes(512, { 100: 1 }), bytes(1024));
    expect(d).toMatchObject({ kind: 'size', onlyZeroTail: false, firstDifference: { offset: 100, differingBytes: 1 } });
    expect(describeContentDifference(d!, 'reference', 'candidate')).toContain('first differing byte at offset 100');
  });

  test('the hex view stops at the end of the data', () => {
    expect(hexView(bytes(20, { 19: 0xff }), 19)).toBe('00000010: 00 00 00 ff');
  });
});

describe('outcome oracle', () => {
  test('the reference not finishing is inconclusive, whatever the candidate did', () => {
    for (const reference of [timedOut(30_000), signaled('SIGSEGV'), spawnFailed('ENOENT')]) {
      for (const candidate of [exited(0), exited(1), timedOut(30_000)]) {
        const verdict = compareOutcomes(run(reference), run(candidate));
        expect(verdict.kind).toBe('inconclusive');
      }
    }
    expect(compareOutcomes(run(timedOut(30_000)), run(exited(0)))).toEqual({
      kind: 'inconclusive',
      reason: 'reference timed out after 30000 ms',
    });
  });

  test('the candidate hanging while the reference finished is a divergence, success or failure', () => {
    for (const code of [0, 1]) {
      const verdict = compareOutcomes(run(exited(code)), run(timedOut(1500)));
      expect(verdict).toMatchObject({ kind: 'diverge', divergence: { kind: 'candidate-timeout', data: { afterMs: 1500 } } });
    }
  });

  test('the candidate dying on a signal is a crash divergence naming the signal', () => {
    const verdict = compareOutcomes(run(exited(0)), run(signaled('SIGSEGV')));
    expect(verdict).toMatchObject({ kind: 'diverge', divergence: { kind: 'candidate-crash', data: { signal: 'SIGSEGV' } } });
    expect(verdict.kind === 'diverge' && verdict.divergence.summary).toBe('candidate killed by SIGSEGV, reference exit 0');
  });

  test('a candidate that cannot start is a divergence, not a pass', () => {
    const verdict = compareOutcomes(run(exited(0)), run(spawnFailed('spawn /x ENOENT')));
    expect(verdict).toMatchObject({ kind: 'diverge', divergence: { kind: 'candidate-unrunnable', detail: 'spawn /x ENOENT' } });
  });

  test('success against failure diverges both ways, with both exit codes', () => {
    expect(compareOutcomes(run(exited(0)), run(exited(1)))).toMatchObject({
      kind: 'diverge',
      divergence: { kind: 'exit-status', summary: 'candidate exit 1, reference exit 0', data: { referenceExit: 0, candidateExit: 1 } },
    });
    expect(compareOutcomes(run(exited(1)), run(exited(0)))).toMatchObject({
      kind: 'diverge',
      divergence: { kind: 'exit-status', data: { referenceExit: 1, candidateExit: 0 } },
    });
  });

  test('by default two failures agree whatever their codes', () => {
    expect(compareOutcomes(run(exited(0)), run(exited(0)))).toEqual({ kind: 'agree', bothSucceeded: true });
    expect(compareOutcomes(run(exited(1)), run(exited(2)))).toEqual({ kind: 'agree', bothSucceeded: false });
  });

  test('with exactExitCodes, different failure codes diverge and equal ones agree', () => {
    const exact = { exactExitCodes: true };
    expect(compareOutcomes(run(exited(2)), run(exited(3)), exact)).toMatchObject({
      kind: 'diverge',
      divergence: { kind: 'exit-code', data: { referenceExit: 2, candidateExit: 3 } },
    });
    expect(compareOutcomes(run(exited(63)), run(exited(63)), exact)).toEqual({ kind: 'agree', bothSucceeded: false });
    // Success against failure stays an exit-status divergence.
    expect(compareOutcomes(run(exited(0)), run(exited(3)), exact)).toMatchObject({ divergence: { kind: 'exit-status' } });
  });
});
