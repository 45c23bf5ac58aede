import fc from 'fast-check';
import type { KeyValue } from '../drivers/requests.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import { faultableQcow2Arbitrary } from './qcow2-corruption.ts';

/**
 * What one `amend` changes (instar-ops.md section 4's cases, plus lazy
 * refcounts asked of a v2 image, which qemu-img refuses, and the downgrade
 * of a zstd-compressed image, which qemu-img does and instar refuses). The first is the
 * simplest: shrinking goes toward a no-op amend.
 */
export const AMEND_CHANGES = ['noop', 'upgrade', 'upgrade-lazy', 'downgrade', 'lazy-on', 'lazy-off', 'lazy-on-v2', 'downgrade-zstd'] as const;
export type AmendChange = (typeof AMEND_CHANGES)[number];

/** refcount_bits; 16 (the default, and the only width compat=0.10 allows) first. */
export const REFCOUNT_WIDTHS = [16, 1, 2, 4, 8, 32, 64] as const;

/**
 * One amend case: a qcow2 with data (its layout gives the cluster size and
 * extended L2), the refcount width it is created with, and the change.
 * The image's compat and lazy refcounts follow from the change
 * (`amendCreateOptions`), so every case is buildable as drawn.
 */
export interface AmendCase {
  readonly source: ImageSpec;
  readonly refcountBits: number;
  readonly change: AmendChange;
}

const fromV2 = (change: AmendChange): boolean => change === 'upgrade' || change === 'upgrade-lazy' || change === 'lazy-on-v2';

/**
 * `qemu-img create -o` for the source: compat=0.10 for the changes that
 * start from v2 (then refcount_bits=16 and no extended L2, which v2 cannot
 * hold), lazy refcounts on only for the change that turns them off.
 */
export function amendCreateOptions(c: AmendCase): KeyValue[] {
  const layout = c.source.layout;
  const clusterSize = layout.format === 'qcow2' ? layout.clusterSize : 65536;
  if (fromV2(c.change)) return [['compat', '0.10'], ['cluster_size', String(clusterSize)]];
  return [
    ['compat', '1.1'],
    ['cluster_size', String(clusterSize)],
    ['refcount_bits', String(c.refcountBits)],
    ...(layout.format === 'qcow2' && layout.extendedL2 ? ([['extended_l2', 'on']] as KeyValue[]) : []),
    ...(c.change === 'lazy-off' ? ([['lazy_refcounts', 'on']] as KeyValue[]) : []),
    ...(c.change === 'downgrade-zstd' ? ([['compression_type', 'zstd']] as KeyValue[]) : []),
  ];
}

/** The `-o` options given to amend, in order. */
export function amendOptions(change: AmendChange): KeyValue[] {
  switch (change) {
    case 'noop':
      return [['compat', '1.1']];
    case 'upgrade':
      return [['compat', '1.1']];
    case 'upgrade-lazy':
      return [['compat', '1.1'], ['lazy_refcounts', 'on']];
    case 'downgrade':
    case 'downgrade-zstd':
      return [['compat', '0.10']];
    case 'lazy-on':
    case 'lazy-on-v2':
      return [['lazy_refcounts', 'on']];
    case 'lazy-off':
      return [['lazy_refcounts', 'off']];
  }
}

export const amendCaseArbitrary: fc.Arbitrary<AmendCase> = fc.record({
  source: faultableQcow2Arbitrary,
  refcountBits: fc.constantFrom(...REFCOUNT_WIDTHS),
  change: fc.constantFrom(...AMEND_CHANGES),
});
