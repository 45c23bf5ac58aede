import { repairCaseArbitrary, type RepairCase } from '../../arbitraries/repair-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { imageSpecClasses } from '../../campaign/image-spec-classes.ts';
import { repairInputClasses } from '../../properties/repair.ts';

/** The classes the repair property itself reports, plus its source's, from the case alone. */
export function classifyRepairCase(repairCase: RepairCase): string[] {
  return [...repairInputClasses(repairCase), ...imageSpecClasses(repairCase.source)];
}

/** Minimums sit near half of what the generator gives today: a class that halves, or vanishes, fails. */
export const goals = [
  coverageGoal({
    name: 'repair cases',
    arbitrary: repairCaseArbitrary,
    classify: classifyRepairCase,
    minimumShare: {
      'fault=leak': 0.1,
      'fault=refcount-zero': 0.1,
      'fault=refcount-high': 0.1,
      'fault=stale-copied': 0.1,
      'tier=leaks': 0.2,
      'tier=all': 0.2,
      'qcow2-small-cluster': 0.2,
      'cluster=512': 0.03,
      'cluster=2097152': 0.025,
      extended_l2: 0.15,
      'extent-at-end': 0.4,
      'zero-extent': 0.35,
      'size>32MiB': 0.04,
    },
  }),
];
