import { benchOpCaseArbitrary, type BenchOpCase } from '../../arbitraries/bench-op-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { imageSpecClasses } from '../../campaign/image-spec-classes.ts';
import { predictedVirtualSize } from '../../images/virtual-size.ts';
import { benchOpFactsOf, benchOpInputClasses } from '../../properties/bench-op.ts';

/** The classes the bench property itself reports, plus its source's, from the spec alone. */
export function classifyBenchOpCase(benchCase: BenchOpCase): string[] {
  return [...benchOpInputClasses(benchOpFactsOf(benchCase, predictedVirtualSize(benchCase.source))), ...imageSpecClasses(benchCase.source)];
}

/**
 * Minimums sit near half of what the generator gives today (4,000 cases,
 * seed 42): a class that halves, or vanishes, fails. Small-cluster qcow2 is
 * the one instar once refused `bench -w` on, so it must stay frequent.
 */
export const goals = [
  coverageGoal({
    name: 'bench cases',
    arbitrary: benchOpCaseArbitrary,
    classify: classifyBenchOpCase,
    minimumShare: {
      'source=raw': 0.045,
      'source=qcow2': 0.3,
      'source=vmdk': 0.045,
      'source=vpc': 0.045,
      'source=vhdx': 0.045,
      'qcow2-small-cluster': 0.24,
      'mode=write': 0.33,
      'mode=read': 0.16,
      flush: 0.12,
      'flush-no-drain': 0.12,
      'requests-overlap': 0.13,
      'schedule-wraps': 0.17,
      'overruns-end': 0.13,
      'wrap-rules-differ': 0.03,
      'extent-at-end': 0.35,
      'zero-extent': 0.3,
      'no-data': 0.1,
    },
  }),
];
