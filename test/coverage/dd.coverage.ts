import { ddCaseArbitrary, resolveDdWindow, type DdCase } from '../../arbitraries/dd-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { imageSpecClasses } from '../../campaign/image-spec-classes.ts';
import { predictedVirtualSize } from '../../images/virtual-size.ts';
import { predictDd } from '../../oracles/dd-model.ts';
import { ddInputClasses } from '../../properties/dd.ts';

/** The classes the dd property itself reports, plus its source's, from the spec alone. */
export function classifyDdCase(ddCase: DdCase): string[] {
  const sourceVirtualSize = predictedVirtualSize(ddCase.source);
  const window = resolveDdWindow(ddCase, sourceVirtualSize);
  const prediction = predictDd(sourceVirtualSize, window, ddCase.target);
  return [...ddInputClasses(ddCase, { window, sourceVirtualSize, prediction }), ...imageSpecClasses(ddCase.source)];
}

/** Minimums sit near half of what the generator gives today: a class that halves, or vanishes, fails. */
export const goals = [
  coverageGoal({
    name: 'dd cases',
    arbitrary: ddCaseArbitrary,
    classify: classifyDdCase,
    minimumShare: {
      'bs=512-multiple': 0.1,
      'bs=non-512': 0.2,
      'bs=large': 0.1,
      'target=raw': 0.1,
      'target=qcow2': 0.1,
      'target=vmdk': 0.1,
      'target=vpc': 0.1,
      'target=vhdx': 0.1,
      'empty-window': 0.1,
      'skip-past-eof': 0.1,
      'count-beyond-eof': 0.1,
      'layout=raw': 0.1,
      'layout=qcow2': 0.1,
      'qcow2-small-cluster': 0.03,
      'layout=vmdk/monolithicSparse': 0.05,
      'layout=vmdk/streamOptimized': 0.05,
      'layout=vpc/dynamic': 0.05,
      'layout=vpc/fixed': 0.05,
      'layout=vhdx': 0.1,
      'size>32MiB': 0.04,
      'size-unaligned': 0.3,
      'no-data': 0.1,
      'extent-at-end': 0.3,
      'zero-extent': 0.3,
    },
  }),
];
