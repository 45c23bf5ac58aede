import { simplifyDdCase } from '../../arbitraries/dd-case-simplify.ts';
import { ddCaseArbitrary, resolveDdWindow, type DdCase, type DdWindow } from '../../arbitraries/dd-case.ts';
import { checkDdCase, type DdPropertyEnv } from '../../properties/dd.ts';
import { ddEnv } from '../support/dd-env.ts';
import type { Counterexample } from '../support/find-counterexample.ts';
import { is, mutantScenario, oneOf, type Expectation, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

const ddHarness: PropertyHarness<DdCase, DdPropertyEnv> = {
  property: 'dd',
  arbitrary: ddCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => ddEnv(tools, toolTimeoutMs),
  check: checkDdCase,
  simplify: simplifyDdCase,
  dispose: (env) => env.images.dispose(),
};

/** dd's "minimal" also speaks of the window the case resolved to. */
interface DdScenario extends Omit<ScenarioSpec<DdCase, DdPropertyEnv>, 'minimal'> {
  readonly minimal: (found: Counterexample<DdCase>, window: DdWindow) => Expectation[];
}

function ddScenario(s: DdScenario): MutantScenario {
  return mutantScenario(ddHarness, {
    ...s,
    minimal: async (found, env) => {
      const source = await env.images.get(found.value.source);
      return s.minimal(found, resolveDdWindow(found.value, source.virtualSize));
    },
  });
}

/** Each mutant wraps qemu-img and injects one realistic dd bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
  ddScenario({
    title: 'GNU count-after-skip semantics: shrinks to count=1 skip=1, raw to raw, no data',
    mutant: 'dd-gnu-count.sh',
    seed: 42,
    numRuns: 300,
    // Minimal: the bug needs both operands, the smallest values that differ
    // are count=1 skip=1, and neither data nor formats play a part.
    minimal: (found, window) => [
      is('count', window.count, 1),
      is('skip', window.skip, 1),
      is('source format', found.value.source.layout.format, 'raw'),
      is('source extents', found.value.source.extents, []),
      is('target', found.value.target, 'raw'),
      is('divergence', found.finding.divergence.kind, 'virtual-size'),
    ],
  }),
  ddScenario({
    title: 'raw output rounded to 4 KiB: caught as a size divergence with a zero tail, raw target, no data',
    mutant: 'dd-raw-rounds-4k.sh',
    seed: 7,
    numRuns: 300,
    // Minimal: only the target matters; the source shrinks to raw with no
    // data, and the divergence is size alone (the content is otherwise equal).
    minimal: (found) => [
      is('target', found.value.target, 'raw'),
      is('source format', found.value.source.layout.format, 'raw'),
      is('source extents', found.value.source.extents, []),
      is('divergence', found.finding.divergence.kind, 'virtual-size'),
      is('only a zero tail differs', found.finding.divergence.data['onlyZeroTail'], true),
    ],
    // repro.sh flattens both outputs with qemu-img and compares them: the sizes differ.
    reproShows: ['virtual sizes: reference', 'EOF on reference.flat.raw'],
  }),
  ddScenario({
    title: 'hang on -O vpc with a non-512 bs: a candidate timeout, shrunk to the vpc target and bs=1',
    mutant: 'dd-vpc-hang.sh',
    seed: 3,
    numRuns: 300,
    // No toolTimeoutMs: the candidate's limit comes from the reference's time
    // (CANDIDATE_TIME_FLOOR/FACTOR defaults), so each hanging step costs ~2 s.
    // Minimal: target vpc and the smallest non-512 block size; the source
    // and the window play no part.
    minimal: (found) => [
      is('target', found.value.target, 'vpc'),
      is('bs', found.value.bs, 1),
      is('source format', found.value.source.layout.format, 'raw'),
      is('source extents', found.value.source.extents, []),
      is('divergence', found.finding.divergence.kind, 'candidate-timeout'),
    ],
  }),
  ddScenario({
    title: 'every empty window into qcow2 fails: met on a 33,554,433-byte source (largest size band), reported with a 1-byte one',
    mutant: 'dd-empty-window.sh qcow2 fail',
    seed: 5,
    numRuns: 1,
    // The case a campaign once reported unreduced: an empty window (skip past
    // the end) over a source from the band above 32 MiB. fast-check cannot
    // shrink a given example; the reduction pass must take it to the smallest
    // size of the smallest band, since the bug fires regardless of size.
    examples: [
      {
        source: { layout: { format: 'raw' }, size: 32 * 1024 * 1024 + 1, extents: [] },
        target: 'qcow2',
        bs: 512,
        count: { kind: 'absent' },
        skip: { kind: 'share', permille: 1500 },
      },
    ],
    minimal: (found, window) => [
      is('reduced from the largest size band', found.moves.some((m) => m.includes('33554433')), true),
      is('source size', found.value.source.size, 1),
      is('source format', found.value.source.layout.format, 'raw'),
      is('target', found.value.target, 'qcow2'),
      is('count', window.count, undefined),
      is('window is empty (skip at or past the end)', (window.skip ?? 0) * window.bs >= 1, true),
      is('divergence', found.finding.divergence.kind, 'exit-status'),
    ],
  }),
  ddScenario({
    title: 'small-cluster qcow2 grain bug: content divergence from one data extent, 512-byte qcow2 clusters',
    mutant: 'dd-small-cluster-grain.sh',
    seed: 11,
    numRuns: 500,
    // qcow2 sources only: the other formats cannot show this bug, and hunting
    // them first only costs time (the reduction pass still tries raw).
    arbitrary: ddCaseArbitrary.filter((c) => c.source.layout.format === 'qcow2'),
    // Minimal: a qcow2 source (the bug's trigger) with the smallest cluster,
    // one extent of data (needed to see lost content) and an affected target
    // (vmdk, vpc and vhdx are equally small; shrinking keeps whichever it met).
    minimal: (found) => {
      const layout = found.value.source.layout;
      return [
        is('source format', layout.format, 'qcow2'),
        is('cluster size', layout.format === 'qcow2' && layout.clusterSize, 512),
        is('source extents', found.value.source.extents.length, 1),
        oneOf('target', found.value.target, ['vmdk', 'vpc', 'vhdx']),
        is('divergence', found.finding.divergence.kind, 'content'),
      ];
    },
  }),
];
