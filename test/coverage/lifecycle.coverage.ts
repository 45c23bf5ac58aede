import { lifecycleCaseArbitrary } from '../../arbitraries/lifecycle-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { lifecycleInputClasses } from '../../properties/lifecycle.ts';

/** Minimums sit near half of what the generator gives today: a class that halves, or vanishes, fails. */
export const goals = [
  coverageGoal({
    name: 'life-cycle cases',
    arbitrary: lifecycleCaseArbitrary,
    classify: lifecycleInputClasses,
    minimumShare: {
      'base-has-data': 0.35,
      'cluster=512': 0.15,
      'cluster=4096': 0.15,
      'cluster=65536': 0.15,
      'step=snapshot -c': 0.27,
      'step=snapshot -d': 0.19,
      'step=snapshot -a': 0.18,
      'step=snapshot -l': 0.14,
      'step=bitmap --add': 0.19,
      'step=bitmap --merge': 0.07,
      'step=bitmap --clear': 0.035,
      'step=qemu-io write': 0.24,
      'step=resize': 0.07,
      'step=amend': 0.07,
      'name=multibyte': 0.04,
      'name=255-bytes': 0.05,
      'name=digits': 0.045,
      'order=create-then-apply': 0.06,
      'order=create-then-delete': 0.065,
      'order=create-then-list': 0.05,
      'order=write-after-snapshot': 0.11,
      'order=write-after-enabled-bitmap': 0.04,
      'steps=1': 0.06,
      'steps=8': 0.06,
    },
  }),
];
