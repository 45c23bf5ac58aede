import { simplifyResizeCase } from '../../arbitraries/resize-case-simplify.ts';
import { resizeCaseArbitrary, type ResizeCase } from '../../arbitraries/resize-case.ts';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { ImageCache } from '../../images/materialise.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import { checkResizeCase, type ResizePropertyEnv } from '../../properties/resize.ts';
import { is, mutantScenario, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

/** A resize property environment for tests, with its own image cache. */
export function resizeEnv(tools: ResolvedTools, timeoutMs = 30_000): ResizePropertyEnv {
  const qemuImg = tools.reference.command[0] ?? 'qemu-img';
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    timeoutMs,
    candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
    images: new ImageCache({ qemuImg, qemuIo: tools.qemuIo, timeoutMs: 30_000 }),
    stats: new RunStats('resize'),
  };
}

const resizeHarness: PropertyHarness<ResizeCase, ResizePropertyEnv> = {
  property: 'resize',
  arbitrary: resizeCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => resizeEnv(tools, toolTimeoutMs),
  check: checkResizeCase,
  simplify: simplifyResizeCase,
  dispose: (env) => env.images.dispose(),
};

const resizeScenario = (s: ScenarioSpec<ResizeCase, ResizePropertyEnv>): MutantScenario => mutantScenario(resizeHarness, s);

/** Each mutant wraps qemu-img and injects one resize bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
  resizeScenario({
    title: 'a raw grow leaves stale bytes in the new tail: shrunk to the smallest raw image grown by one byte',
    mutant: 'resize-raw-grow-stale-tail.sh',
    seed: 1,
    numRuns: 40,
    minimal: (found) => [
      is('case', found.value, { source: { layout: { format: 'raw' }, size: 1, extents: [] }, target: { form: 'absolute', delta: 1 }, shrink: false, preallocation: 'omitted' }),
      is('divergence', found.finding.divergence.kind, 'content'),
      is('offset', found.finding.divergence.data['offset'], 512),
    ],
    // repro.sh flattens both results: cmp names the first differing byte (513, counted from 1).
    reproShows: ['differ: char 513'],
  }),
  resizeScenario({
    title: 'a qcow2 shrink rounds the new size up to a whole cluster: shrunk to the smallest default-cluster qcow2 above one sector, asked one byte less',
    mutant: 'resize-qcow2-shrink-rounds-to-cluster.sh',
    seed: 2,
    numRuns: 60,
    // Minimal: the smallest qcow2 whose size (1024: asked 513, qemu-img
    // rounds to sectors) can shrink at all, asked for one byte less with no
    // --shrink: qemu-img refuses (not a sector multiple, and no --shrink),
    // while the mutant rounds 1023 up to one 64 KiB cluster and grows.
    minimal: (found) => [
      is('case', found.value, {
        source: { layout: { format: 'qcow2', clusterSize: 65536, extendedL2: false, lazyRefcounts: false }, size: 513, extents: [] },
        target: { form: 'absolute', delta: -1 },
        shrink: false,
        preallocation: 'omitted',
      }),
      is('divergence', found.finding.divergence.kind, 'exit-status'),
      is('direction', found.finding.divergence.data['referenceExit'], 1),
    ],
    reproShows: ['exit status differs'],
  }),
];
