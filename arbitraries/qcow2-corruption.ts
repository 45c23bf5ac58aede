import fc from 'fast-check';
import type { ImageSpec } from '../images/image-spec.ts';
import { QCOW2_FAULT_KINDS, type Qcow2Fault } from '../images/qcow2-corrupt.ts';
import { imageLayoutArbitrary, imageSpecArbitrary } from './image-spec.ts';

/** A clean qcow2 spec plus one fault to inject by editing its bytes. */
export interface CorruptQcow2 {
  readonly base: ImageSpec;
  readonly fault: Qcow2Fault;
}

/** Shrinks toward the first fault kind (a leak) and the first site. */
export const qcow2FaultArbitrary: fc.Arbitrary<Qcow2Fault> = fc.record({
  kind: fc.constantFrom(...QCOW2_FAULT_KINDS),
  site: fc.nat({ max: 1023 }),
});

/**
 * qcow2 sources from the shared image arbitraries (every cluster size,
 * extended L2, lazy refcounts), always with at least one extent of data so
 * that every fault kind has a data cluster and an L2 table to hit.
 */
export const faultableQcow2Arbitrary: fc.Arbitrary<ImageSpec> = fc
  .record({
    layout: imageLayoutArbitrary.filter((l) => l.format === 'qcow2'),
    spec: imageSpecArbitrary.filter((s) => s.extents.length > 0),
  })
  .map(({ layout, spec }) => ({ ...spec, layout }));

export const corruptQcow2Arbitrary: fc.Arbitrary<CorruptQcow2> = fc.record({
  base: faultableQcow2Arbitrary,
  fault: qcow2FaultArbitrary,
});
