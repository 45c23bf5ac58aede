import { mapCaseArbitrary, type MapCase } from '../../arbitraries/map-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { imageSpecClasses } from '../../campaign/image-spec-classes.ts';
import { predictedVirtualSize } from '../../images/virtual-size.ts';
import { mapFactsOf, mapInputClasses } from '../../properties/map.ts';

/** The classes the map property itself reports, plus its source's, from the spec alone. */
export function classifyMapCase(mapCase: MapCase): string[] {
  return [...mapInputClasses(mapFactsOf(mapCase, predictedVirtualSize(mapCase.source))), ...imageSpecClasses(mapCase.source)];
}

/** Minimums sit near half of what the generator gives today: a class that halves, or vanishes, fails. */
export const goals = [
  coverageGoal({
    name: 'map cases',
    arbitrary: mapCaseArbitrary,
    classify: classifyMapCase,
    minimumShare: {
      'source=raw': 0.08,
      'source=qcow2': 0.16,
      'source=vmdk': 0.08,
      'source=vpc': 0.08,
      'source=vhdx': 0.07,
      'whole-image': 0.05,
      'window-unaligned': 0.25,
      'empty-window': 0.1,
      'window-past-end': 0.1,
      'layout=vpc/dynamic': 0.045,
      'layout=vmdk/streamOptimized': 0.045,
      'qcow2-small-cluster': 0.06,
      'extent-at-end': 0.3,
      'zero-extent': 0.3,
      'no-data': 0.1,
    },
  }),
];
