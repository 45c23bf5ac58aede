import fc from 'fast-check';
import { checkCaseArbitrary, type CheckCase } from '../../arbitraries/check-case.ts';
import { imageSpecArbitrary } from '../../arbitraries/image-spec.ts';
import { checkCheckCase } from '../../properties/check.ts';
import { checkEnv } from '../../properties/check-env.ts';
import { findCounterexample, type Counterexample } from '../support/find-counterexample.ts';
import { mutantPath, toolsWithCandidate } from '../support/tools.ts';
import { is, oneOf, type Expectation, type MutantScenario } from './scenarios.ts';

/** Clean vpc images only: the one input class of the vpc whitelist entry. */
export const cleanVpcArbitrary: fc.Arbitrary<CheckCase> = imageSpecArbitrary
  .filter((s) => s.layout.format === 'vpc')
  .map((source): CheckCase => ({ kind: 'clean', source }));

/**
 * A check scenario; `reproShows` (when set) is what the finding's repro.sh
 * must print, exiting 1, to show the same divergence without Node.js. The
 * mutation test runs it; the benchmark times only the hunt.
 */
export interface CheckMutantScenario extends MutantScenario {
  readonly reproShows?: readonly string[];
}

interface CheckScenario {
  readonly title: string;
  readonly mutant: string;
  readonly seed: number;
  readonly numRuns: number;
  /** Per tool call; a hang costs this much per case. */
  readonly toolTimeoutMs?: number;
  /** The cases hunted; all check cases unless the bug lives in a narrower class. */
  readonly arbitrary?: fc.Arbitrary<CheckCase>;
  readonly minimal: (found: Counterexample<CheckCase>) => Expectation[];
  readonly reproShows?: readonly string[];
}

function checkScenario(s: CheckScenario): CheckMutantScenario {
  return {
    property: 'check',
    title: s.title,
    mutant: s.mutant,
    seed: s.seed,
    numRuns: s.numRuns,
    ...(s.reproShows === undefined ? {} : { reproShows: s.reproShows }),
    hunt: async ({ seed, numRuns }) => {
      const env = checkEnv(await toolsWithCandidate(mutantPath(s.mutant)), s.toolTimeoutMs ?? 30_000);
      try {
        const found = await findCounterexample(s.arbitrary ?? checkCaseArbitrary, (c) => checkCheckCase(env, c), { seed, numRuns });
        return { found, minimal: s.minimal(found) };
      } finally {
        await env.dispose();
      }
    },
  };
}

/** Each mutant wraps qemu-img and injects one check bug; "minimal" is spelled out per mutant. */
export const scenarios: CheckMutantScenario[] = [
  checkScenario({
    title: 'leaks reported as corruptions (exit 2 for 3, JSON unchanged): shrinks to one leaked cluster in the smallest qcow2',
    mutant: 'check-leaks-exit-2.sh',
    seed: 5,
    numRuns: 300,
    // Minimal: a corrupted case (clean images never leak) whose fault is the
    // first kind, a leak, which leaks and nothing else; the base image is a
    // plain qcow2 (cluster size plays no part, so it ends at one of the
    // arbitrary's two simplest values: the 64 KiB default or 512 bytes),
    // 1 byte long, with the single 1-byte extent the corruption arbitrary
    // always writes. Only the exit code differs.
    minimal: (found) => {
      const value = found.value;
      const layout = value.source.layout;
      return [
        is('kind', value.kind, 'corrupt'),
        is('fault', value.kind === 'corrupt' && value.fault, { kind: 'leak', site: 0 }),
        is('source format', layout.format, 'qcow2'),
        is('extended L2', layout.format === 'qcow2' && layout.extendedL2, false),
        is('lazy refcounts', layout.format === 'qcow2' && layout.lazyRefcounts, false),
        oneOf('cluster size', layout.format === 'qcow2' && layout.clusterSize, [512, 65536]),
        is('source size', value.source.size, 1),
        is('source extents', value.source.extents.length, 1),
        is('extent length', value.source.extents[0]?.length, 1),
        is('divergence', found.finding.divergence.kind, 'exit-code'),
        is('exit codes', found.finding.divergence.data, { referenceExit: 3, candidateExit: 2 }),
      ];
    },
    // repro.sh rebuilds the corrupted image with qemu-img/qemu-io byte edits
    // and shows the same divergence without Node.js.
    reproShows: ['exit codes differ', 'JSON fields agree'],
  }),
  checkScenario({
    title: 'the vpc whitelist entry is narrow: exit 0 with a leak in the report is a finding, shrunk to the smallest vpc',
    mutant: 'check-vpc-checked-leaky.sh',
    seed: 9,
    numRuns: 20,
    arbitrary: cleanVpcArbitrary,
    // Minimal: any clean vpc shows it; the smallest is dynamic, 1 byte, no data.
    minimal: (found) => [
      is('source', found.value.source, { layout: { format: 'vpc', subformat: 'dynamic' }, size: 1, extents: [] }),
      is('divergence', found.finding.divergence.kind, 'exit-status'),
      is('exit codes', found.finding.divergence.data, { referenceExit: 63, candidateExit: 0 }),
    ],
  }),
];
