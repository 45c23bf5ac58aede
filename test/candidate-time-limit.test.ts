import { describe, expect, test } from 'vitest';
import { CandidatePace, candidateLimit } from '../drivers/candidate-time-limit.ts';
import { AdjustableDeadline, type LimitInForce } from '../drivers/deadline.ts';
import { describeTermination } from '../drivers/process-outcome.ts';

const policy = { floorMs: 2_000, factor: 10 };

describe('candidateLimit: min(cap, max(floor, factor × reference))', () => {
  test('a fast reference gives the floor', () => {
    expect(candidateLimit(policy, 30_000, 35)).toEqual({ limitMs: 2_000, derivedFrom: { floorMs: 2_000, factor: 10, referenceMs: 35 } });
  });

  test('a slow reference gives factor × its time, rounded up to whole milliseconds', () => {
    expect(candidateLimit(policy, 30_000, 700)).toEqual({ limitMs: 7_000, derivedFrom: { floorMs: 2_000, factor: 10, referenceMs: 700 } });
    expect(candidateLimit({ floorMs: 100, factor: 2.5 }, 30_000, 301).limitMs).toBe(753);
  });

  test("the candidate's own pace raises the limit: a slow but correct candidate is never called hung", () => {
    expect(candidateLimit(policy, 30_000, 35, 300)).toEqual({
      limitMs: 3_000,
      derivedFrom: { floorMs: 2_000, factor: 10, referenceMs: 35, candidatePaceMs: 300 },
    });
    // A pace below the floor changes nothing but the report.
    expect(candidateLimit(policy, 30_000, 35, 40).limitMs).toBe(2_000);
  });

  test('a pace is the median of the latest calls, none before three', () => {
    const pace = new CandidatePace();
    pace.record(100);
    pace.record(5_000);
    expect(pace.medianMs()).toBeUndefined();
    pace.record(120);
    expect(pace.medianMs()).toBe(120);
    for (let i = 0; i < 40; i++) pace.record(900);
    expect(pace.medianMs()).toBe(900);
  });

  test('the cap wins when the derived limit reaches it, and then no derivation is named', () => {
    expect(candidateLimit(policy, 30_000, 3_000)).toEqual({ limitMs: 30_000, derivedFrom: undefined });
    expect(candidateLimit(policy, 30_000, 29_000)).toEqual({ limitMs: 30_000, derivedFrom: undefined });
    expect(candidateLimit({ floorMs: 5_000, factor: 10 }, 1_000, 0)).toEqual({ limitMs: 1_000, derivedFrom: undefined });
  });
});

describe('AdjustableDeadline', () => {
  test('only ever tightens, and tells every subscriber until it unsubscribes', () => {
    const deadline = new AdjustableDeadline();
    expect(deadline.current).toBeUndefined();
    const seen: LimitInForce[] = [];
    const unsubscribe = deadline.subscribe((limit) => seen.push(limit));
    deadline.tighten(5_000, undefined);
    deadline.tighten(9_000, undefined);
    const derivedFrom = { floorMs: 2_000, factor: 10, referenceMs: 100 };
    deadline.tighten(2_000, derivedFrom);
    unsubscribe();
    deadline.tighten(1_000, undefined);
    expect(seen).toEqual([
      { limitMs: 5_000, derivedFrom: undefined },
      { limitMs: 2_000, derivedFrom },
    ]);
    expect(deadline.current).toEqual({ limitMs: 1_000, derivedFrom: undefined });
  });
});

describe('describeTermination names the limit that applied', () => {
  test('a derived limit shows its arithmetic; a fixed one reads as before', () => {
    const derivedFrom = { floorMs: 2_000, factor: 10, referenceMs: 35 };
    expect(describeTermination({ kind: 'timed-out', afterMs: 2_000, derivedFrom })).toBe(
      'timed out after 2000 ms (limit derived: max(floor 2 s, 10 × reference 35 ms))',
    );
    expect(describeTermination({ kind: 'timed-out', afterMs: 750, derivedFrom: { floorMs: 500, factor: 2.5, referenceMs: 300 } })).toBe(
      'timed out after 750 ms (limit derived: max(floor 0.5 s, 2.5 × reference 300 ms))',
    );
    expect(describeTermination({ kind: 'timed-out', afterMs: 3_000, derivedFrom: { floorMs: 1_000, factor: 10, referenceMs: 35, candidatePaceMs: 300 } })).toBe(
      "timed out after 3000 ms (limit derived: max(floor 1 s, 10 × reference 35 ms, 10 × candidate's median 300 ms))",
    );
    expect(describeTermination({ kind: 'timed-out', afterMs: 30_000 })).toBe('timed out after 30000 ms');
  });
});
