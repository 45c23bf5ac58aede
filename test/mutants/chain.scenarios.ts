import { simplifyChainCase } from '../../arbitraries/chain-case-simplify.ts';
import { chainCaseArbitrary, chainCaseArbitraryWithin, type ChainCase } from '../../arbitraries/chain-case.ts';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import { checkChainCase, type ChainPropertyEnv } from '../../properties/chain.ts';
import { is, mutantScenario, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

/** A chain property environment for tests. */
export function chainEnv(tools: ResolvedTools, timeoutMs = 30_000): ChainPropertyEnv {
  return { reference: tools.reference, candidate: tools.candidate, qemuIo: tools.qemuIo, timeoutMs, candidateTime: DEFAULT_CANDIDATE_TIME_POLICY, stats: new RunStats('chain') };
}

const chainHarness: PropertyHarness<ChainCase, ChainPropertyEnv> = {
  property: 'chain',
  arbitrary: chainCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => chainEnv(tools, toolTimeoutMs),
  check: checkChainCase,
  simplify: simplifyChainCase,
  dispose: async () => undefined,
};

/**
 * The hunts' cases: the property's, with at most two layers of at most
 * 256 KiB and three steps, so that finding and shrinking fit the mutation
 * test's time on two shared cores; both bugs live well inside.
 */
const HUNTED = chainCaseArbitraryWithin({ maxLayers: 2, maxSteps: 3, maxUnits: 4 });

const chainScenario = (s: ScenarioSpec<ChainCase, ChainPropertyEnv>): MutantScenario => mutantScenario(chainHarness, s);

/** Each mutant wraps qemu-img and injects one rebase or commit bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
  chainScenario({
    title: 'a safe rebase that only repoints (as -u): shrunk to one step, rebasing a single empty layer onto other.qcow2 holding one sector',
    mutant: 'chain-safe-rebase-skips-copy.sh',
    seed: 3,
    numRuns: 20,
    arbitrary: HUNTED,
    // Minimal: the top must come to show something else, so the new
    // backing holds one sector (other's fill) and the top, a single empty
    // layer, shows zeros there; safe mode must copy them up, the mutant
    // does not. onto 0 is other.qcow2, the only file besides the top.
    minimal: (found) => [
      is('case', found.value, {
        layers: [{ clusterSize: 65536, extents: [] }],
        size: 65536,
        baseSize: 65536,
        other: { clusterSize: 65536, size: 65536, extents: [{ offset: 0, length: 512, fill: 0x41 }] },
        steps: [{ do: 'rebase', onto: 0, unsafe: false }],
      }),
      is('file', found.finding.divergence.data['file'], 'top.qcow2'),
      is('divergence', found.finding.divergence.kind, 'content'),
    ],
    reproShows: ['top.qcow2 reads differently'],
  }),
  chainScenario({
    title: 'a plain commit that does not empty the top (as -d): shrunk to one commit of a two-layer chain whose top holds one sector',
    mutant: 'chain-commit-keeps-top.sh',
    seed: 3,
    numRuns: 20,
    arbitrary: HUNTED,
    // Minimal: a commit needs a backing file (two layers) and data in the
    // top for the emptying to show: one sector of the top's fill, every
    // other file empty, 64 KiB and 64 KiB clusters throughout.
    minimal: (found) => [
      is('case', found.value, {
        layers: [
          { clusterSize: 65536, extents: [] },
          { clusterSize: 65536, extents: [{ offset: 0, length: 512, fill: 0x21 }] },
        ],
        size: 65536,
        baseSize: 65536,
        other: { clusterSize: 65536, size: 65536, extents: [] },
        steps: [{ do: 'commit', base: null, drop: false }],
      }),
      is('divergence', found.finding.divergence.kind, 'content'),
      is('seen in', found.finding.divergence.data['document'], 'own clusters'),
      is('offset', found.finding.divergence.data['offset'], 0),
    ],
    reproShows: ["top.qcow2's own clusters differ"],
  }),
];
