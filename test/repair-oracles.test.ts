import { describe, expect, test } from 'vitest';
import { instarArgs } from '../drivers/instar-dialect.ts';
import { qemuImgArgs } from '../drivers/qemu-img-dialect.ts';
import type { RepairRequest } from '../drivers/requests.ts';
import { checkCounts, isClean, worseThan } from '../oracles/repair-state.ts';
import { expectedReferenceExit } from '../properties/repair.ts';

const source = { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: 1, extents: [{ offset: 0, length: 1, fill: 1 }] } as const;

describe('repair request in both dialects', () => {
  const request: RepairRequest = { op: 'repair', file: 'a.qcow2', format: 'qcow2', tier: 'leaks' };
  test('qemu-img: check -r TIER --output=json', () => {
    expect(qemuImgArgs(request)).toEqual(['check', '-f', 'qcow2', '-r', 'leaks', '--output=json', 'a.qcow2']);
  });
  test('instar: check --repair=TIER --output json (instar-ops.md section 9)', () => {
    expect(instarArgs({ ...request, tier: 'all' })).toEqual(['check', '--repair=all', '--output', 'json', 'a.qcow2']);
  });
});

describe('the image state after a repair', () => {
  test('absent counts are 0; no JSON is no report', () => {
    expect(checkCounts('{"check-errors": 0, "leaks-fixed": 1, "filename": "x"}')).toEqual({ corruptions: 0, leaks: 0, checkErrors: 0 });
    expect(checkCounts('{"corruptions": 2, "leaks": 1, "check-errors": 0}')).toEqual({ corruptions: 2, leaks: 1, checkErrors: 0 });
    expect(checkCounts('qemu-img: Could not open')).toBeUndefined();
    expect(isClean({ corruptions: 0, leaks: 0, checkErrors: 0 })).toBe(true);
    expect(isClean({ corruptions: 0, leaks: 1, checkErrors: 0 })).toBe(false);
  });

  test('worse: more corruptions or leaks than before, any check error, or no report at all', () => {
    const before = { corruptions: 1, leaks: 1, checkErrors: 0 };
    expect(worseThan(before, { corruptions: 1, leaks: 1, checkErrors: 0 })).toBeUndefined();
    expect(worseThan(before, { corruptions: 0, leaks: 0, checkErrors: 0 })).toBeUndefined();
    expect(worseThan(before, { corruptions: 2, leaks: 0, checkErrors: 0 })).toBe('corruptions 1 → 2');
    expect(worseThan(before, { corruptions: 0, leaks: 2, checkErrors: 0 })).toBe('leaks 1 → 2');
    expect(worseThan(before, { corruptions: 0, leaks: 0, checkErrors: 1 })).toBe('1 check error(s)');
    expect(worseThan(before, undefined)).toBe('qemu-img check cannot report on the repaired image');
  });
});

test("the model of qemu-img's repairs: only a refcount of zero under the leaks tier fails (exit 1)", () => {
  expect(expectedReferenceExit({ source, fault: { kind: 'refcount-zero', site: 0 }, tier: 'leaks' })).toBe(1);
  expect(expectedReferenceExit({ source, fault: { kind: 'refcount-zero', site: 0 }, tier: 'all' })).toBe(0);
  for (const kind of ['leak', 'refcount-high', 'stale-copied'] as const) {
    for (const tier of ['leaks', 'all'] as const) expect(expectedReferenceExit({ source, fault: { kind, site: 3 }, tier })).toBe(0);
  }
});
