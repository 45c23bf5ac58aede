import { resizeCaseArbitrary, type ResizeCase } from '../../arbitraries/resize-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { imageSpecClasses } from '../../campaign/image-spec-classes.ts';
import { predictedVirtualSize } from '../../images/virtual-size.ts';
import { resizeFactsOf, resizeInputClasses } from '../../properties/resize.ts';

/** The classes the resize property itself reports, plus its source's, from the spec alone. */
export function classifyResizeCase(resizeCase: ResizeCase): string[] {
  return [...resizeInputClasses(resizeFactsOf(resizeCase, predictedVirtualSize(resizeCase.source))), ...imageSpecClasses(resizeCase.source)];
}

/** Minimums sit near half of what the generator gives today: a class that halves, or vanishes, fails. */
export const goals = [
  coverageGoal({
    name: 'resize cases',
    arbitrary: resizeCaseArbitrary,
    classify: classifyResizeCase,
    minimumShare: {
      'source=raw': 0.08,
      'source=qcow2': 0.16,
      'source=vmdk': 0.08,
      'source=vpc': 0.08,
      'source=vhdx': 0.07,
      'change=grow': 0.2,
      'change=shrink': 0.2,
      'change=no-op': 0.07,
      'preallocation=omitted': 0.1,
      'preallocation=off': 0.1,
      'preallocation=metadata': 0.1,
      'preallocation=falloc': 0.1,
      'preallocation=full': 0.1,
      'shrink-cuts-data': 0.1,
      'new-size-unaligned': 0.04,
      'qcow2-small-cluster': 0.06,
      'extent-at-end': 0.3,
      'zero-extent': 0.3,
      'no-data': 0.1,
    },
  }),
];
