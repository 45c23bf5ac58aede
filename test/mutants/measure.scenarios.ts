import { simplifyMeasureCase } from '../../arbitraries/measure-case-simplify.ts';
import type fc from 'fast-check';
import { measureCaseArbitrary, qemuMeasures, type MeasureCase } from '../../arbitraries/measure-case.ts';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../../drivers/candidate-time-limit.ts';
import { checkMeasureCase } from '../../properties/measure.ts';
import { measureEnv } from '../../properties/measure-env.ts';
import { is, mutantScenario, oneOf, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

type MeasureEnv = ReturnType<typeof measureEnv>;

/**
 * The empty-source cases that are as small as the vmdk one: the smallest raw
 * source with no data, measured for a fixed vpc or a default vhdx. Returned
 * as the allowed values when `c` is one of them.
 */
function emptyRawSourceCases(c: MeasureCase): MeasureCase[] {
  const emptyRaw =
    JSON.stringify(c.input) ===
    JSON.stringify({ kind: 'source', source: { layout: { format: 'raw' }, size: 1, extents: [] }, bitmaps: [] });
  const target = JSON.stringify(c.target);
  const smallest = [
    JSON.stringify({ format: 'vpc', options: [['subformat', 'fixed']] }),
    JSON.stringify({ format: 'vhdx', options: [] }),
  ];
  return emptyRaw && smallest.includes(target) && c.output === 'json' ? [c] : [];
}

/** Only `--size` inputs: a bug there needs no source image, so its hunt builds none. */
export const sizeInputArbitrary: fc.Arbitrary<MeasureCase> = measureCaseArbitrary.filter((c) => c.input.kind === 'size');

/** Only the targets qemu-img cannot measure: the self-checked ones. */
export const selfCheckedArbitrary: fc.Arbitrary<MeasureCase> = measureCaseArbitrary.filter((c) => !qemuMeasures(c.target.format));

function violatedBounds(data: Readonly<Record<string, unknown>>): string[] {
  return (data['violations'] as Array<{ bound: string }>).map((v) => v.bound);
}

const measureHarness: PropertyHarness<MeasureCase, MeasureEnv> = {
  property: 'measure',
  arbitrary: measureCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => measureEnv(tools, toolTimeoutMs ?? 30_000, DEFAULT_CANDIDATE_TIME_POLICY),
  check: checkMeasureCase,
  simplify: simplifyMeasureCase,
  dispose: (env) => env.dispose(),
};

/** The 2^53 scenario's seed: it draws a size past 2^53 early (seeds 1 to 5 all shrink to the same case). */
const SIZE_PAST_2_53_SEED = 4;

const measureScenario = (s: ScenarioSpec<MeasureCase, MeasureEnv>): MutantScenario => mutantScenario(measureHarness, s);

/** Each mutant wraps qemu-img and injects one measure bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
  measureScenario({
    title: "instar's fixed-VHD source bug (exit 1 on fixed vpc sources): shrinks to an empty fixed vpc measured to raw",
    mutant: 'measure-fixed-vhd-source.sh',
    seed: 4,
    numRuns: 300,
    // Minimal: the source must be a fixed vpc (the only trigger); everything
    // else takes its simplest value: 1 byte, no data, no bitmaps, a raw
    // target with no options, JSON output.
    minimal: (found) => [
      is('case', found.value, {
        input: { kind: 'source', source: { layout: { format: 'vpc', subformat: 'fixed' }, size: 1, extents: [] }, bitmaps: [] },
        target: { format: 'raw', options: [] },
        output: 'json',
      }),
      is('divergence', found.finding.divergence.kind, 'exit-status'),
      is('exit statuses', found.finding.divergence.data, { referenceExit: 0, candidateExit: 1 }),
    ],
    reproShows: ['exit status differs'],
  }),
  measureScenario({
    title: 'required one cluster too large with extended_l2=on (a number only): shrinks to that one option on the smallest input',
    mutant: 'measure-extended-l2-off-by-cluster.sh',
    seed: 8,
    numRuns: 300,
    // Minimal: a qcow2 target with extended_l2=on and no other option (so
    // 64 KiB clusters); the input takes its simplest value, an empty 1-byte
    // raw source; JSON output. Exit codes agree; only `required` differs, by
    // exactly one cluster.
    minimal: (found) => {
      const fields = found.finding.divergence.data['fields'] as Array<{ field: string; reference: number; candidate: number }>;
      return [
        is('case', found.value, {
          input: { kind: 'source', source: { layout: { format: 'raw' }, size: 1, extents: [] }, bitmaps: [] },
          target: { format: 'qcow2', options: [['extended_l2', 'on']] },
          output: 'json',
        }),
        is('divergence', found.finding.divergence.kind, 'metadata'),
        is('differing fields', fields.map((f) => f.field), ['required']),
        is('candidate minus reference', (fields[0]?.candidate ?? 0) - (fields[0]?.reference ?? 0), 65536),
      ];
    },
  }),
  measureScenario({
    title: 'self-check, fully-allocated bound: a candidate answering raw figures for vmdk/vpc/vhdx is caught on the smallest input',
    mutant: 'measure-self-raw-numbers.sh',
    seed: 6,
    numRuns: 100,
    arbitrary: selfCheckedArbitrary,
    // Minimal: every input is a counterexample (each format's own output is
    // longer than the guest data), so the input and target shrink to their
    // simplest: an empty 1-byte raw source, vmdk without options, JSON.
    minimal: (found) => [
      is('case', found.value, {
        input: { kind: 'source', source: { layout: { format: 'raw' }, size: 1, extents: [] }, bitmaps: [] },
        target: { format: 'vmdk', options: [] },
        output: 'json',
      }),
      is('divergence', found.finding.divergence.kind, 'bound'),
      is(
        "violated bounds include fully-allocated >= own output's length",
        violatedBounds(found.finding.divergence.data).includes("fully-allocated >= own output's length"),
        true,
      ),
    ],
    // repro.sh checks the same bounds with bash, qemu-img and the candidate alone.
    reproShows: ['fully-allocated < own output length'],
  }),
  measureScenario({
    title: 'self-check, required bound: a candidate answering required=0 is caught once qemu-img output stores data',
    mutant: 'measure-self-required-zero.sh',
    seed: 6,
    numRuns: 100,
    arbitrary: selfCheckedArbitrary,
    // Only the required bound can fail (fully-allocated is ample). It fails
    // as soon as qemu-img's output stores any data: a vmdk stores data only
    // where the source has some (so: a 1-byte raw source with one 1-byte
    // extent), while a fixed vpc or a vhdx output already counts as data from
    // an empty source. The shrinker may end at any of these equally small cases.
    minimal: (found) => [
      oneOf('case', found.value, [
        {
          input: { kind: 'source', source: { layout: { format: 'raw' }, size: 1, extents: [{ offset: 0, length: 1, fill: 18 }] }, bitmaps: [] },
          target: { format: 'vmdk', options: [] },
          output: 'json',
        },
        ...emptyRawSourceCases(found.value),
      ]),
      is('divergence', found.finding.divergence.kind, 'bound'),
      is('violated bounds', violatedBounds(found.finding.divergence.data), ["required >= qemu-img output's data"]),
    ],
  }),
  measureScenario({
    title: 'fully-allocated one byte off past 2^53 (--size only): caught exactly, shrunk to --size 2^53 + 1 to raw',
    mutant: 'measure-size-fully-allocated-off-by-one.sh',
    seed: SIZE_PAST_2_53_SEED,
    numRuns: 300,
    arbitrary: sizeInputArbitrary,
    // Hunted among --size inputs (the mutant never touches a source).
    // Minimal: the raw target without options and JSON output, the simplest
    // choices; the size
    // is the smallest whose fully-allocated (the size rounded up to 512)
    // passes 2^53: 2^53 + 1. As JavaScript numbers both figures would be
    // 2^53 + 512 and the bug would pass.
    minimal: (found) => {
      const fields = found.finding.divergence.data['fields'] as Array<{ field: string; reference: unknown; candidate: unknown }>;
      return [
        is('case', found.value, { input: { kind: 'size', size: '9007199254740993' }, target: { format: 'raw', options: [] }, output: 'json' }),
        is('divergence', found.finding.divergence.kind, 'metadata'),
        is('differing fields', fields, [{ field: 'fully-allocated', reference: 2n ** 53n + 512n, candidate: 2n ** 53n + 513n }]),
      ];
    },
    reproShows: ['"fully-allocated": 9007199254741505', 'JSON fields differ'],
  }),
];
