import { chainCaseArbitrary } from '../../arbitraries/chain-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { chainInputClasses } from '../../properties/chain.ts';

/** Minimums sit near half of what the generator gives today: a class that halves, or vanishes, fails. */
export const goals = [
  coverageGoal({
    name: 'chain cases',
    arbitrary: chainCaseArbitrary,
    classify: chainInputClasses,
    minimumShare: {
      'layers=1': 0.16,
      'layers=2': 0.16,
      'layers=3': 0.16,
      'mixed-cluster-sizes': 0.25,
      'smaller-base': 0.25,
      'step=qemu-io write': 0.34,
      'step=rebase': 0.18,
      'step=rebase -u': 0.17,
      "step=rebase -b ''": 0.05,
      'step=commit': 0.13,
      'step=commit -b': 0.12,
      'step=commit -d': 0.12,
      'step=commit -b -d': 0.11,
      'steps=1': 0.09,
      'steps=6': 0.08,
    },
  }),
];
