import { describe, expect, test } from 'vitest';
import type { ChainCase, ChainStep } from '../arbitraries/chain-case.ts';
import { initialModel, ownContent, planStep, visible, type ChainModel } from '../oracles/chain-model.ts';

const KiB = 1024;

/** base (0x11 in its first 4 KiB) ← top (0x21 in 4…8 KiB), 4 KiB clusters; other holds 0x41 at 8…12 KiB. */
const twoLayers: ChainCase = {
  layers: [
    { clusterSize: 4096, extents: [{ offset: 0, length: 4 * KiB, fill: 0x11 }] },
    { clusterSize: 4096, extents: [{ offset: 4 * KiB, length: 4 * KiB, fill: 0x21 }] },
  ],
  size: 64 * KiB,
  baseSize: 64 * KiB,
  other: { clusterSize: 4096, size: 64 * KiB, extents: [{ offset: 8 * KiB, length: 4 * KiB, fill: 0x41 }] },
  steps: [],
};

function after(step: ChainStep, model: ChainModel = initialModel(twoLayers)): ChainModel {
  const planned = planStep(twoLayers, model, step);
  if (!planned.expect.succeeds) throw new Error(`${planned.label} is predicted to fail`);
  return planned.expect.model;
}

const at = (bytes: Buffer, offset: number): number | undefined => bytes[offset];

describe('the chain model', () => {
  test('a safe rebase keeps what the top shows, copying up what the new backing lacks', () => {
    const before = initialModel(twoLayers);
    const model = after({ do: 'rebase', onto: 1, unsafe: false }, before);
    expect(visible(model, 'top.qcow2').equals(visible(before, 'top.qcow2'))).toBe(true);
    // The base's cluster and the zeros over other's data are now the top's own.
    expect([at(ownContent(model.get('top.qcow2')!), 0), model.get('top.qcow2')?.allocated[16]]).toEqual([0x11, 1]);
    expect(model.get('top.qcow2')?.backing).toBe('other.qcow2');
  });

  test('an unsafe rebase keeps the top\'s own clusters and shows the new backing elsewhere', () => {
    const model = after({ do: 'rebase', onto: 1, unsafe: true });
    const shown = visible(model, 'top.qcow2');
    expect([at(shown, 0), at(shown, 4 * KiB), at(shown, 8 * KiB)]).toEqual([0, 0x21, 0x41]);
  });

  test('a detach in safe mode flattens the top', () => {
    const model = after({ do: 'rebase', onto: null, unsafe: false });
    expect(model.get('top.qcow2')?.backing).toBeNull();
    expect(at(visible(model, 'top.qcow2'), 0)).toBe(0x11);
  });

  test('a plain commit writes the top into its backing and empties the top', () => {
    const model = after({ do: 'commit', base: null, drop: false });
    expect(at(visible(model, 'base.qcow2'), 4 * KiB)).toBe(0x21);
    expect(model.get('top.qcow2')?.allocated.includes(1)).toBe(false);
  });

  test('-d, and -b (which implies -d in qemu-img.c), leave the top as it was', () => {
    for (const step of [{ do: 'commit', base: null, drop: true }, { do: 'commit', base: 0, drop: false }] as const) {
      const model = after(step);
      expect(at(visible(model, 'base.qcow2'), 4 * KiB)).toBe(0x21);
      expect(at(ownContent(model.get('top.qcow2')!), 4 * KiB)).toBe(0x21);
    }
  });

  test('a commit without a backing file, or with -b naming a file outside the chain, is predicted to fail', () => {
    const single: ChainCase = { ...twoLayers, layers: twoLayers.layers.slice(1) };
    expect(planStep(single, initialModel(single), { do: 'commit', base: null, drop: false }).expect.succeeds).toBe(false);
    expect(planStep(twoLayers, initialModel(twoLayers), { do: 'commit', base: 1, drop: false }).expect.succeeds).toBe(false);
  });
});
