import { simplifyRepairCase } from '../../arbitraries/repair-case-simplify.ts';
import { repairCaseArbitrary, type RepairCase } from '../../arbitraries/repair-case.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { checkRepairCase, type RepairPropertyEnv } from '../../properties/repair.ts';
import { repairEnv } from '../../properties/repair-env.ts';
import type { Counterexample } from '../support/find-counterexample.ts';
import { is, mutantScenario, oneOf, type Expectation, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

type RepairEnv = RepairPropertyEnv & { readonly dispose: () => Promise<void> };

const repairHarness: PropertyHarness<RepairCase, RepairEnv> = {
  property: 'repair',
  arbitrary: repairCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => repairEnv(tools, toolTimeoutMs ?? 30_000, DEFAULT_CANDIDATE_TIME_POLICY),
  check: checkRepairCase,
  simplify: simplifyRepairCase,
  dispose: (env) => env.dispose(),
};

const repairScenario = (s: ScenarioSpec<RepairCase, RepairEnv>): MutantScenario => mutantScenario(repairHarness, s);

/**
 * Minimal for both mutants: the first fault kind (a leak, at the first
 * site), the leaks tier, and the plainest qcow2 (cluster size plays no
 * part, so one of the arbitrary's two simplest: 64 KiB or 512 bytes), 1 byte
 * long with the single 1-byte extent the corruption arbitrary always writes.
 */
function smallestLeak(found: Counterexample<RepairCase>): Expectation[] {
  const value = found.value;
  const layout = value.source.layout;
  return [
    is('fault', value.fault, { kind: 'leak', site: 0 }),
    is('tier', value.tier, 'leaks'),
    is('source format', layout.format, 'qcow2'),
    is('extended L2', layout.format === 'qcow2' && layout.extendedL2, false),
    is('lazy refcounts', layout.format === 'qcow2' && layout.lazyRefcounts, false),
    oneOf('cluster size', layout.format === 'qcow2' && layout.clusterSize, [512, 65536]),
    is('source size', value.source.size, 1),
    is('source extents', value.source.extents.length, 1),
    is('extent length', value.source.extents[0]?.length, 1),
  ];
}

/** Each mutant wraps qemu-img and injects one repair bug. */
export const scenarios: MutantScenario[] = [
  repairScenario({
    title: 'the leaks tier repairs nothing (exit 3, image unchanged): shrinks to one leaked cluster in the smallest qcow2',
    mutant: 'repair-leaks-tier-no-op.sh',
    seed: 3,
    numRuns: 40,
    // The over-count case (refcount one too high) is instar's documented
    // leaks-tier scope and is whitelisted; a leak is not.
    minimal: (found) => [
      ...smallestLeak(found),
      is('divergence', found.finding.divergence.kind, 'exit-status'),
      is('exit codes', [found.finding.divergence.data['referenceExit'], found.finding.divergence.data['candidateExit']], [0, 3]),
      is('candidate after', found.finding.divergence.data['candidateAfter'], { corruptions: 0, leaks: 1, checkErrors: 0 }),
    ],
    reproShows: ['repair exit codes differ', 'JSON fields differ'],
  }),
  repairScenario({
    title: 'a leak repair truncates one cluster too many (the image is left worse): shrinks to one leaked cluster in the smallest qcow2',
    mutant: 'repair-truncates-past-leak.sh',
    seed: 4,
    numRuns: 40,
    // Exit status and report are qemu-img's own: only the never-worse oracle
    // (or the reader) can see it.
    minimal: (found) => [
      ...smallestLeak(found),
      oneOf('divergence', [found.finding.divergence.kind, found.finding.divergence.data['document'] ?? null], [
        ['metadata', 'repair-safety'],
        ['output-unreadable', null],
      ]),
    ],
  }),
];
