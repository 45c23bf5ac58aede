import { simplifyCreateCase } from '../../arbitraries/create-case-simplify.ts';
import { createCaseArbitrary, type CreateCase } from '../../arbitraries/create-case.ts';
import { checkCreateCase, type CreatePropertyEnv } from '../../properties/create.ts';
import { createEnv } from '../support/create-env.ts';
import { is, mutantScenario, oneOf, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

const createHarness: PropertyHarness<CreateCase, CreatePropertyEnv> = {
  property: 'create',
  arbitrary: createCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => createEnv(tools, toolTimeoutMs),
  check: checkCreateCase,
  simplify: simplifyCreateCase,
  // create builds no inputs; its outputs live in per-case directories.
  dispose: async () => undefined,
};

const createScenario = (s: ScenarioSpec<CreateCase, CreatePropertyEnv>): MutantScenario => mutantScenario(createHarness, s);

/**
 * Each mutant wraps qemu-img and injects one create bug. "Minimal" is the
 * shrink target of the arbitrary for that bug: the one target the bug lives
 * in (raw when it could be any), the size "0" (the smallest size, since
 * none of these bugs needs data), and only the options the bug needs.
 */
export const scenarios: MutantScenario[] = [
  createScenario({
    title: 'cluster_size accepted but ignored: shrinks to qcow2, size 0, the single option cluster_size',
    mutant: 'create-ignores-cluster-size.sh',
    seed: 5,
    numRuns: 300,
    // Minimal: qcow2 is the only target with cluster_size; size "0"; one
    // option, cluster_size, at a value the default does not give: 512 for a
    // valid case (the smallest cluster), or a value qemu-img refuses, which
    // the mutant accepts by dropping it.
    minimal: (found) => [
      is('target', found.value.target, 'qcow2'),
      is('size', found.value.size, '0'),
      is('option keys', found.value.options.map(([k]) => k), ['cluster_size']),
      oneOf(
        'cluster_size (valid 512, or a refused value when the case is flawed)',
        found.value.flaw === null ? found.value.options[0]?.[1] : 'refused',
        ['512', 'refused'],
      ),
      oneOf('divergence', found.finding.divergence.kind, ['metadata', 'exit-status']),
    ],
  }),
  createScenario({
    title: 'wrong default (4 KiB qcow2 clusters): the first signature met, minimal for it (size 0; no options, or extended_l2 alone)',
    mutant: 'create-qcow2-default-4k-clusters.sh',
    seed: 8,
    numRuns: 300,
    // The bug shows two ways, and the hunt reports whichever it meets first
    // (the signature is locked while shrinking): info's cluster-size with no
    // options at all, or a refusal when extended_l2=on needs 16 KiB clusters
    // and the wrong default gives 4 KiB. Each is minimal for its signature.
    minimal: (found) => {
      const common = [is('target', found.value.target, 'qcow2'), is('size', found.value.size, '0'), is('flaw', found.value.flaw, null)];
      if (found.finding.divergence.kind === 'exit-status') {
        return [
          ...common,
          is('options', found.value.options, [['extended_l2', 'on']]),
          is('candidate exit', found.finding.divergence.data['candidateExit'], 1),
        ];
      }
      const differences = found.finding.divergence.data['differences'] as Array<{ path: string }> | undefined;
      return [
        ...common,
        is('options', found.value.options, []),
        is('divergence', found.finding.divergence.kind, 'metadata'),
        is('differing fields', differences?.map((d) => d.path), ['cluster-size']),
      ];
    },
  }),
  createScenario({
    title: 'unreadable output (broken dynamic VHD header): shrinks to vpc, size 0, no options',
    mutant: 'create-vpc-broken-dynamic-header.sh',
    seed: 13,
    numRuns: 300,
    // Minimal: vpc's default subformat is the dynamic one the bug breaks, so
    // no option is needed; size "0".
    minimal: (found) => [
      is('target', found.value.target, 'vpc'),
      is('size', found.value.size, '0'),
      is('options', found.value.options, []),
      is('divergence', found.finding.divergence.kind, 'output-unreadable'),
    ],
    // repro.sh reads both outputs with qemu-img info: only the candidate's fails.
    reproShows: ["qemu-img cannot read the candidate's output"],
  }),
  createScenario({
    title: 'output that does not check clean (leaked qcow2 cluster): shrinks to qcow2, size 0, no options',
    mutant: 'create-qcow2-leaked-cluster.sh',
    seed: 21,
    numRuns: 300,
    // Minimal: any qcow2 with the default 16-bit refcounts leaks, so no
    // option is needed; size "0". Seen by qemu-img check, not by info.
    minimal: (found) => [
      is('target', found.value.target, 'qcow2'),
      is('size', found.value.size, '0'),
      is('options', found.value.options, []),
      is('divergence', found.finding.divergence.kind, 'metadata'),
      is('document', found.finding.divergence.data['document'], 'check'),
    ],
  }),
];
