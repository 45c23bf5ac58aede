import fc from 'fast-check';
import type { ImageSpec } from '../images/image-spec.ts';
import type { Qcow2Fault } from '../images/qcow2-corrupt.ts';
import { imageSpecArbitrary } from './image-spec.ts';
import { corruptQcow2Arbitrary } from './qcow2-corruption.ts';

/** One `check` case: a clean image of any format, or a qcow2 with one injected fault. */
export type CheckCase =
  | { readonly kind: 'clean'; readonly source: ImageSpec }
  | { readonly kind: 'corrupt'; readonly source: ImageSpec; readonly fault: Qcow2Fault };

/**
 * Two corrupted cases for one clean: faults are where check has most to say.
 * Clean comes first so a bug that shows on clean images shrinks to one.
 */
export const checkCaseArbitrary: fc.Arbitrary<CheckCase> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: imageSpecArbitrary.map((source): CheckCase => ({ kind: 'clean', source })), weight: 1 },
  {
    arbitrary: corruptQcow2Arbitrary.map(({ base, fault }): CheckCase => ({ kind: 'corrupt', source: base, fault })),
    weight: 2,
  },
);
