import { describe, expect, test } from 'vitest';
import type { LifecycleStep } from '../arbitraries/lifecycle-case.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import { defaultBitmapGranularity, initialModel, planStep, type LifecycleModel } from '../oracles/lifecycle-model.ts';
import { normaliseSnapshotList } from '../oracles/snapshot-list.ts';
import { infoState, modelState, stateDisagreement } from '../oracles/lifecycle-state.ts';

const base: ImageSpec = { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: 131072, extents: [{ offset: 0, length: 512, fill: 9 }] };

/** Runs steps through the model; a step the model says fails leaves the state as it was. */
function run(steps: readonly LifecycleStep[], from: LifecycleModel = initialModel(base)): { model: LifecycleModel; outcomes: boolean[] } {
  let model = from;
  const outcomes: boolean[] = [];
  for (const step of steps) {
    const planned = planStep(model, step);
    outcomes.push(planned.expect.succeeds);
    if (planned.expect.succeeds) model = planned.expect.model;
  }
  return { model, outcomes };
}

const write = (fill: number): LifecycleStep => ({ do: 'write', region: { at: 0, sectors: 1 }, fill });
const literal = (value: string) => ({ by: 'literal', value }) as const;

describe('the life-cycle model (as qemu-img 7.2 and 10.0 behave, checked by hand)', () => {
  test('ids are one past the largest live id; duplicate names are allowed; over-long names are cut to 255 bytes', () => {
    const { model } = run([
      { do: 'snapshot-create', name: 'alpha' },
      { do: 'snapshot-create', name: 'alpha' },
      { do: 'snapshot-delete', target: literal('alpha') },
      { do: 'snapshot-create', name: 'M'.repeat(256) },
    ]);
    expect(model.snapshots.map((s) => [s.id, s.name.length])).toEqual([
      ['2', 5],
      ['3', 255],
    ]);
  });

  test('-d matches names only (the first match); -a tries ids first, then names', () => {
    const { model, outcomes } = run([
      { do: 'snapshot-create', name: '2' },
      write(5),
      { do: 'snapshot-create', name: 'beta' },
      write(6),
      { do: 'snapshot-delete', target: literal('1') },
      { do: 'snapshot-apply', target: literal('2') },
    ]);
    expect(outcomes).toEqual([true, true, true, true, false, true]);
    // `-a 2` is id 2 ("beta", taken after the write of 5), not the snapshot named "2".
    expect(model.content[0]).toBe(5);
  });

  test('-a is refused while the image has any bitmap, enabled or not', () => {
    const { outcomes } = run([{ do: 'snapshot-create', name: 'alpha' }, { do: 'bitmap-add', bitmap: 0, granularity: null, disabled: true }, { do: 'snapshot-apply', target: literal('alpha') }]);
    expect(outcomes).toEqual([true, true, false]);
  });

  test('writes dirty the granules of enabled bitmaps only; clear empties; merge ORs at the target granularity', () => {
    const { model } = run([
      { do: 'bitmap-add', bitmap: 0, granularity: 512, disabled: false },
      { do: 'bitmap-add', bitmap: 1, granularity: 65536, disabled: true },
      { do: 'write', region: { at: 500, sectors: 2 }, fill: 1 },
      { do: 'bitmap-merge', source: 0, bitmap: 1 },
    ]);
    expect(model.bitmaps.map((b) => [b.name, b.dirty])).toEqual([
      ['b0', [[65536, 66560]]],
      ['b1', [[65536, 131072]]],
    ]);
    expect(run([{ do: 'bitmap-clear', bitmap: 0 }], model).model.bitmaps[0]?.dirty).toEqual([]);
  });

  test('the default granularity is the cluster size within 4 KiB … 64 KiB', () => {
    expect([512, 4096, 65536, 2097152].map(defaultBitmapGranularity)).toEqual([4096, 4096, 65536, 65536]);
  });

  test("info's view is compared field by field, and the first disagreement is named", () => {
    const { model } = run([{ do: 'snapshot-create', name: 'alpha' }]);
    const info = { 'virtual-size': 131072, snapshots: [{ id: '1', name: 'beta', 'date-sec': 1 }], 'format-specific': { type: 'qcow2', data: { 'lazy-refcounts': false } } };
    expect(stateDisagreement(modelState(model), infoState(info))).toMatch(/^snapshots \(id, name\)/);
    expect(stateDisagreement(modelState(model), infoState({ ...info, snapshots: [{ id: '1', name: 'alpha' }] }))).toBeUndefined();
  });

  test('snapshot -l dates become a placeholder of the same width; padding is kept', () => {
    const line = '1         snäp-名前          0 B 2026-12-04 23:30:07 00:00:00.000          0';
    const normalised = normaliseSnapshotList(line);
    expect(normalised).toBe('1         snäp-名前          0 B YYYY-MM-DD hh:mm:ss 00:00:00.000          0');
    expect(normaliseSnapshotList(line.replace('1  ', '1   '))).not.toBe(normalised);
  });
});
