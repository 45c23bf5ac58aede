import { amendCaseArbitrary, type AmendCase } from '../../arbitraries/amend-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { imageSpecClasses } from '../../campaign/image-spec-classes.ts';
import { amendInputClasses } from '../../properties/amend.ts';

/** The classes the amend property itself reports, plus its source's, from the case alone. */
export function classifyAmendCase(amendCase: AmendCase): string[] {
  return [...amendInputClasses(amendCase), ...imageSpecClasses(amendCase.source)];
}

/** Minimums sit near half of what the generator gives today: a class that halves, or vanishes, fails. */
export const goals = [
  coverageGoal({
    name: 'amend cases',
    arbitrary: amendCaseArbitrary,
    classify: classifyAmendCase,
    minimumShare: {
      'change=noop': 0.06,
      'change=upgrade': 0.06,
      'change=upgrade-lazy': 0.06,
      'change=downgrade': 0.06,
      'change=lazy-on': 0.06,
      'change=lazy-off': 0.06,
      'change=lazy-on-v2': 0.06,
      'change=downgrade-zstd': 0.06,
      'refcount_bits=1': 0.04,
      'refcount_bits=64': 0.05,
      refused: 0.14,
      extended_l2: 0.12,
      'qcow2-small-cluster': 0.2,
      'zero-extent': 0.35,
      'extent-at-end': 0.4,
    },
  }),
];
