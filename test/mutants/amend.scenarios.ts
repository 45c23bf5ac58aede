import { simplifyAmendCase } from '../../arbitraries/amend-case-simplify.ts';
import { amendCaseArbitrary, type AmendCase } from '../../arbitraries/amend-case.ts';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import { checkAmendCase, type AmendPropertyEnv } from '../../properties/amend.ts';
import type { Counterexample } from '../support/find-counterexample.ts';
import { is, mutantScenario, oneOf, type Expectation, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

export function amendEnv(tools: ResolvedTools, timeoutMs = 30_000): AmendPropertyEnv {
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    qemuIo: tools.qemuIo,
    timeoutMs,
    candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
    stats: new RunStats('amend'),
  };
}

const amendHarness: PropertyHarness<AmendCase, AmendPropertyEnv> = {
  property: 'amend',
  arbitrary: amendCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => amendEnv(tools, toolTimeoutMs),
  check: checkAmendCase,
  simplify: simplifyAmendCase,
  dispose: async () => undefined,
};

const amendScenario = (s: ScenarioSpec<AmendCase, AmendPropertyEnv>): MutantScenario => mutantScenario(amendHarness, s);

/**
 * The plainest qcow2 source: no extended L2 or lazy refcounts in its layout,
 * cluster size one of the arbitrary's two simplest (64 KiB or 512 bytes: it
 * plays no part), 1 byte long with the single 1-byte extent the arbitrary
 * always writes.
 */
function plainestSource(found: Counterexample<AmendCase>): Expectation[] {
  const layout = found.value.source.layout;
  return [
    is('source format', layout.format, 'qcow2'),
    is('extended L2', layout.format === 'qcow2' && layout.extendedL2, false),
    is('lazy refcounts', layout.format === 'qcow2' && layout.lazyRefcounts, false),
    oneOf('cluster size', layout.format === 'qcow2' && layout.clusterSize, [512, 65536]),
    is('source size', found.value.source.size, 1),
    is('source extents', found.value.source.extents.length, 1),
    is('extent length', found.value.source.extents[0]?.length, 1),
  ];
}

/** Each mutant wraps qemu-img and injects one amend bug. */
export const scenarios: MutantScenario[] = [
  amendScenario({
    title: 'lazy_refcounts=off ignored: shrinks to turning lazy refcounts off on the smallest qcow2, seen in info',
    mutant: 'amend-ignores-lazy-off.sh',
    seed: 5,
    numRuns: 40,
    minimal: (found) => [
      is('change', found.value.change, 'lazy-off'),
      is('refcount bits', found.value.refcountBits, 16),
      ...plainestSource(found),
      is('divergence', found.finding.divergence.kind, 'metadata'),
      is('info paths', found.finding.divergence.data['paths'], ['format-specific.data.lazy-refcounts']),
    ],
    reproShows: ['format-specific differs'],
  }),
  amendScenario({
    title: 'a downgrade with a refcount width other than 16 is not refused: shrinks to 1-bit refcounts on the smallest qcow2',
    mutant: 'amend-downgrade-any-refcount-width.sh',
    seed: 6,
    numRuns: 60,
    minimal: (found) => [
      is('change', found.value.change, 'downgrade'),
      is('refcount bits', found.value.refcountBits, 1),
      ...plainestSource(found),
      is('divergence', found.finding.divergence.kind, 'exit-status'),
      is('exit codes', found.finding.divergence.data, { referenceExit: 1, candidateExit: 0, candidateUnchanged: true }),
    ],
  }),
];
