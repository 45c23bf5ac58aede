import { simplifyBenchOpCase } from '../../arbitraries/bench-op-case-simplify.ts';
import { benchOpCaseArbitrary, type BenchOpCase } from '../../arbitraries/bench-op-case.ts';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { ImageCache } from '../../images/materialise.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import { checkBenchOpCase, type BenchOpPropertyEnv } from '../../properties/bench-op.ts';
import { is, mutantScenario, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

/** A bench-operation property environment for tests, with its own image cache. */
export function benchOpEnv(tools: ResolvedTools, timeoutMs = 30_000): BenchOpPropertyEnv {
  const qemuImg = tools.reference.command[0] ?? 'qemu-img';
  return {
    reference: tools.reference,
    candidate: tools.candidate,
    timeoutMs,
    candidateTime: DEFAULT_CANDIDATE_TIME_POLICY,
    images: new ImageCache({ qemuImg, qemuIo: tools.qemuIo, timeoutMs: 30_000 }),
    stats: new RunStats('bench'),
  };
}

const benchOpHarness: PropertyHarness<BenchOpCase, BenchOpPropertyEnv> = {
  property: 'bench',
  arbitrary: benchOpCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => benchOpEnv(tools, toolTimeoutMs),
  check: checkBenchOpCase,
  simplify: simplifyBenchOpCase,
  dispose: (env) => env.images.dispose(),
};

const benchOpScenario = (s: ScenarioSpec<BenchOpCase, BenchOpPropertyEnv>): MutantScenario => mutantScenario(benchOpHarness, s);

/** The simplest bench case: one 1-byte read at offset 0 of the smallest raw image, default step, no flush. */
const SIMPLEST: BenchOpCase = {
  source: { layout: { format: 'raw' }, size: 1, extents: [] },
  write: false,
  count: 1,
  depth: 1,
  bufferSize: 1,
  step: 0,
  pattern: 0,
  offsetPermille: 0,
  flush: null,
};

/** Each mutant wraps qemu-img and injects one bench bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
  benchOpScenario({
    title: '-w refused on small-cluster qcow2: shrunk to a one-byte write on the smallest qcow2 with sub-64 KiB clusters',
    mutant: 'bench-op-small-cluster-write-refused.sh',
    seed: 1,
    numRuns: 30,
    minimal: (found) => [
      is('case', { ...found.value, source: { ...found.value.source, layout: { format: found.value.source.layout.format } } }, {
        ...SIMPLEST,
        source: { layout: { format: 'qcow2' }, size: 1, extents: [] },
        write: true,
      }),
      is('small clusters', found.value.source.layout.format === 'qcow2' && found.value.source.layout.clusterSize < 65536, true),
      is('divergence', found.finding.divergence.kind, 'exit-status'),
      is('direction', found.finding.divergence.data['referenceExit'], 0),
    ],
    reproShows: ['exit status differs'],
  }),
  benchOpScenario({
    title: '--pattern ignored: shrunk to one 1-byte write of pattern 1 on the smallest raw image',
    mutant: 'bench-op-pattern-ignored.sh',
    seed: 2,
    numRuns: 30,
    minimal: (found) => [
      is('case', found.value, { ...SIMPLEST, write: true, pattern: 1 }),
      is('divergence', found.finding.divergence.kind, 'content'),
      is('offset', found.finding.divergence.data['offset'], 0),
    ],
    // repro.sh flattens both results: cmp names the first differing byte (1, counted from 1).
    reproShows: ['differ: char 1'],
  }),
  benchOpScenario({
    title: 'the header echoes -S 0 as typed: shrunk to the simplest case of all',
    mutant: 'bench-op-header-step-as-typed.sh',
    seed: 3,
    numRuns: 10,
    minimal: (found) => [
      is('case', found.value, SIMPLEST),
      is('divergence', found.finding.divergence.kind, 'output-text'),
      is('line', found.finding.divergence.data['line'], 1),
    ],
    reproShows: ['printed lines differ'],
  }),
];
