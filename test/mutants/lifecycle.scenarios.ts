import fc from 'fast-check';
import { lifecycleBaseArbitrary, lifecycleCaseArbitrary, lifecycleStepArbitrary, type LifecycleCase } from '../../arbitraries/lifecycle-case.ts';
import { simplifyLifecycleCase } from '../../arbitraries/lifecycle-case-simplify.ts';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { qemuNbdBeside } from '../../config/qemu-nbd.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { ImageCache } from '../../images/materialise.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import { checkLifecycleCase, type LifecyclePropertyEnv } from '../../properties/lifecycle.ts';
import { is, mutantScenario, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

/** A life-cycle property environment for tests, with its own image cache. */
export function lifecycleEnv(tools: ResolvedTools, timeoutMs = 30_000): LifecyclePropertyEnv {
  const qemuImg = tools.reference.command[0] ?? 'qemu-img';
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    qemuIo: tools.qemuIo,
    qemuNbd: qemuNbdBeside(qemuImg),
    timeoutMs,
    candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
    images: new ImageCache({ qemuImg, qemuIo: tools.qemuIo, timeoutMs: 30_000 }),
    stats: new RunStats('lifecycle'),
  };
}

const lifecycleHarness: PropertyHarness<LifecycleCase, LifecyclePropertyEnv> = {
  property: 'lifecycle',
  arbitrary: lifecycleCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => lifecycleEnv(tools, toolTimeoutMs),
  check: checkLifecycleCase,
  simplify: simplifyLifecycleCase,
  dispose: (env) => env.images.dispose(),
};

const lifecycleScenario = (s: ScenarioSpec<LifecycleCase, LifecyclePropertyEnv>): MutantScenario => mutantScenario(lifecycleHarness, s);

/** The smallest base the arbitrary draws: 64 KiB, default clusters, no data. */
const SMALLEST_BASE = { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: 65536, extents: [] };

/** Cases of one command family and writes, four commands at most: for hunts whose bug lives there. */
function narrowed(family: 'snapshot-' | 'bitmap-'): fc.Arbitrary<LifecycleCase> {
  return fc.record({
    base: lifecycleBaseArbitrary,
    steps: fc.array(lifecycleStepArbitrary.filter((s) => s.do.startsWith(family) || s.do === 'write'), { minLength: 1, maxLength: 4 }),
  });
}

/** Each mutant wraps qemu-img and injects one bug; "minimal" is the fewest commands on the simplest base that still fail. */
export const scenarios: MutantScenario[] = [
  lifecycleScenario({
    title: "snapshot -l pads multibyte names by characters (instar's real bug): shrunk to a multibyte snapshot, then -l, on the smallest qcow2",
    mutant: 'lifecycle-snapshot-list-pads-by-characters.sh',
    seed: 92,
    numRuns: 40,
    minimal: (found) => [
      is('case', found.value, { base: SMALLEST_BASE, steps: [{ do: 'snapshot-create', name: 'snäp-名前' }, { do: 'snapshot-list' }] }),
      is('divergence', found.finding.divergence.kind, 'output-text'),
    ],
    reproShows: ['snapshot -l differs (dates normalised)'],
  }),
  lifecycleScenario({
    title: "snapshot -d leaves surviving L2 tables without COPIED (instar's real bug): shrunk to a snapshot of a one-sector image, then its deletion",
    mutant: 'lifecycle-snapshot-delete-drops-copied.sh',
    // Snapshot commands and writes, four at most: a third of the full
    // arbitrary's time (seed 53 there finds and shrinks it to the same case).
    arbitrary: narrowed('snapshot-'),
    seed: 148,
    numRuns: 10,
    minimal: (found) => [
      is('steps', found.value.steps.map((s) => s.do), ['snapshot-create', 'snapshot-delete']),
      is('base', found.value.base, { ...SMALLEST_BASE, extents: [{ offset: 0, length: 512, fill: 34 }] }),
      is('divergence', found.finding.divergence.kind, 'metadata'),
    ],
    reproShows: ["qemu-img check finds the candidate's image unclean"],
  }),
  lifecycleScenario({
    title: 'bitmap --add --disable adds an enabled bitmap: shrunk to that one command on the smallest qcow2',
    mutant: 'lifecycle-bitmap-add-ignores-disable.sh',
    seed: 3,
    numRuns: 40,
    minimal: (found) => [
      is('case', found.value, { base: SMALLEST_BASE, steps: [{ do: 'bitmap-add', bitmap: 0, granularity: null, disabled: true }] }),
      is('divergence', found.finding.divergence.kind, 'metadata'),
    ],
    reproShows: ['qemu-img info differs'],
  }),
  lifecycleScenario({
    title: "bitmap --clear leaves the bits set: caught by reading the bits over qemu-nbd, shrunk to a bitmap added, one sector written, the bitmap cleared",
    mutant: 'lifecycle-bitmap-clear-ignored.sh',
    // The bug lives among bitmap commands and writes: hunting there keeps
    // the hunt under a minute (the full arbitrary finds it too, seed 964,
    // in about 90 s on a loaded machine, shrunk to the same case).
    arbitrary: narrowed('bitmap-'),
    seed: 1860,
    numRuns: 10,
    minimal: (found) => [
      is('case', found.value, {
        base: SMALLEST_BASE,
        steps: [
          { do: 'bitmap-add', bitmap: 0, granularity: null, disabled: false },
          { do: 'write', region: { at: 0, sectors: 1 }, fill: 1 },
          { do: 'bitmap-clear', bitmap: 0 },
        ],
      }),
      is('divergence', found.finding.divergence.kind, 'metadata'),
      is('document', found.finding.divergence.data['document'], 'bitmap bits'),
    ],
    reproShows: ['bitmap b0 bits differ'],
  }),
];
