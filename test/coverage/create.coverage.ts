import { createCaseArbitrary, requestedBytesOf, sizeLimit, type CreateCase } from '../../arbitraries/create-case.ts';
import { coverageGoal } from '../../campaign/coverage-goal.ts';
import { createInputClasses, createSizeClasses } from '../../properties/create.ts';
import { createWhitelist } from '../../whitelist.ts';

/**
 * The create property's classes, plus: flawed at all, near a format limit,
 * and each whitelist entry's eligibility (known divergences stay in the
 * generated space, so each entry keeps being exercised).
 */
export function classifyCreateCase(c: CreateCase): string[] {
  const limit = sizeLimit(c.target, c.options);
  const nearLimit = c.flaw === null && limit !== undefined && (requestedBytesOf(c) ?? 0n) > (limit * 99n) / 100n;
  return [
    ...createInputClasses(c),
    ...createSizeClasses(c),
    ...(c.flaw !== null ? ['flawed'] : []),
    ...(nearLimit ? ['near-limit'] : []),
    ...createWhitelist.filter((e) => e.appliesTo({ createCase: c })).map((e) => `eligible:${e.id}`),
  ];
}

/** Minimums sit near half of what the generator gives today: a class that halves, or vanishes, fails. */
export const goals = [
  coverageGoal({
    name: 'create cases',
    arbitrary: createCaseArbitrary,
    classify: classifyCreateCase,
    minimumShare: {
      'target=raw': 0.08,
      'target=qcow2': 0.08,
      'target=vmdk': 0.08,
      'target=vpc': 0.08,
      'target=vhdx': 0.08,
      flawed: 0.05,
      'near-limit': 0.005,
      'size=plain': 0.2,
      'size=suffix': 0.1,
      'size=fraction': 0.03,
      'size=unaligned': 0.2,
      'size=zero': 0.003,
      'option=cluster_size': 0.03,
      'option=refcount_bits': 0.02,
      'preallocation=full': 0.005,
      'subformat=streamOptimized': 0.02,
      'subformat=fixed': 0.02,
      'eligible:create-vpc-chs-size': 0.05,
      'eligible:create-qcow2-refcount-bits': 0.02,
      'eligible:create-qcow2-compat-0.10': 0.01,
      'eligible:create-qcow2-zstd': 0.01,
      'eligible:create-vhdx-default-block-size': 0.005,
    },
  }),
];
