import { simplifyCheckCase } from '../../arbitraries/check-case-simplify.ts';
import fc from 'fast-check';
import { checkCaseArbitrary, type CheckCase } from '../../arbitraries/check-case.ts';
import { imageSpecArbitrary } from '../../arbitraries/image-spec.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { checkCheckCase } from '../../properties/check.ts';
import { checkEnv } from '../../properties/check-env.ts';
import { is, mutantScenario, oneOf, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

type CheckEnv = ReturnType<typeof checkEnv>;

/** Clean vpc images only: the one input class of the vpc whitelist entry. */
export const cleanVpcArbitrary: fc.Arbitrary<CheckCase> = imageSpecArbitrary
  .filter((s) => s.layout.format === 'vpc')
  .map((source): CheckCase => ({ kind: 'clean', source }));

const checkHarness: PropertyHarness<CheckCase, CheckEnv> = {
  property: 'check',
  arbitrary: checkCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => checkEnv(tools, toolTimeoutMs ?? 30_000, DEFAULT_CANDIDATE_TIME_POLICY),
  check: checkCheckCase,
  simplify: simplifyCheckCase,
  dispose: (env) => env.dispose(),
};

const checkScenario = (s: ScenarioSpec<CheckCase, CheckEnv>): MutantScenario => mutantScenario(checkHarness, s);

/** Each mutant wraps qemu-img and injects one check bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
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
