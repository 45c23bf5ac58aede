import { simplifyConvertCase } from '../../arbitraries/convert-case-simplify.ts';
import { compressionPromise, convertCaseArbitrary, type ConvertCase } from '../../arbitraries/convert-case.ts';
import { RunStats } from '../../oracles/run-stats.ts';
import { checkConvertCase } from '../../properties/convert.ts';
import { ddEnv } from '../support/dd-env.ts';
import type { DdPropertyEnv } from '../../properties/dd.ts';
import { is, mutantScenario, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';

type ConvertEnv = DdPropertyEnv;

const convertHarness: PropertyHarness<ConvertCase, ConvertEnv> = {
  property: 'convert',
  arbitrary: convertCaseArbitrary,
  // The dd environment has everything convert needs; only the counters differ.
  makeEnv: (tools, toolTimeoutMs) => ({ ...ddEnv(tools, toolTimeoutMs), stats: new RunStats('convert') }),
  check: checkConvertCase,
  simplify: simplifyConvertCase,
  dispose: (env) => env.images.dispose(),
};

const convertScenario = (s: ScenarioSpec<ConvertCase, ConvertEnv>): MutantScenario => mutantScenario(convertHarness, s);

/** Each mutant wraps qemu-img and injects one convert bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
  convertScenario({
    title: 'compression silently dropped: caught by the compression oracle from one byte of data, qcow2 -c',
    mutant: 'convert-drops-compression.sh',
    seed: 4,
    numRuns: 300,
    // Minimal: the content is right, so only a promise of compression
    // exposes the bug. Two promises are equally small and the shrinker may
    // end at either: qcow2 -c (no other option) from the smallest source
    // holding one non-zero byte, or a streamOptimized vmdk (no -c) from the
    // smallest raw source with no data at all.
    minimal: (found) => {
      const { source, target, compress } = found.value;
      const common = [
        is('source format', source.layout.format, 'raw'),
        is('source size', source.size, 1),
        is('divergence', found.finding.divergence.kind, 'compression'),
      ];
      if (target.format === 'vmdk') {
        return [
          ...common,
          is('source extents', source.extents, []),
          is('target', target, { format: 'vmdk', options: [['subformat', 'streamOptimized']] }),
          is('compress', compress, false),
        ];
      }
      return [
        ...common,
        is('source extents', source.extents.length, 1),
        is('extent length', source.extents[0]?.length, 1),
        is('extent fill is non-zero', source.extents[0]?.fill !== 0, true),
        is('target', target, { format: 'qcow2', options: [] }),
        is('compress', compress, true),
        is('compressed clusters', found.finding.divergence.data['compressedClusters'], 0n),
      ];
    },
  }),
  convertScenario({
    title: 'streamOptimized written as monolithicSparse: caught from an empty raw source by the vmdk header signal',
    mutant: 'convert-drops-compression.sh',
    seed: 5,
    numRuns: 100,
    arbitrary: convertCaseArbitrary.filter((c) => compressionPromise(c) === 'vmdk-stream-optimized'),
    // Minimal: a streamOptimized target must be streamOptimized whatever the
    // data, so nothing else is needed: the smallest raw source, no data, no
    // -c and no other option.
    minimal: (found) => [
      is('source', found.value.source, { layout: { format: 'raw' }, size: 1, extents: [] }),
      is('target', found.value.target, { format: 'vmdk', options: [['subformat', 'streamOptimized']] }),
      is('compress', found.value.compress, false),
      is('divergence', found.finding.divergence.kind, 'compression'),
      is('createType', found.finding.divergence.data['createType'], 'monolithicSparse'),
    ],
  }),
  convertScenario({
    title: 'last partial qcow2 cluster not written: a content divergence from a one-byte raw source',
    mutant: 'convert-qcow2-drops-tail.sh',
    seed: 9,
    numRuns: 300,
    // Minimal: a qcow2 target without options (default 64 KiB clusters, so
    // any small image is one partial cluster), the smallest source size and
    // one non-zero byte that the lost cluster held.
    minimal: (found) => {
      const { source, target, compress } = found.value;
      return [
        is('target', target, { format: 'qcow2', options: [] }),
        is('compress', compress, false),
        is('source format', source.layout.format, 'raw'),
        is('source size', source.size, 1),
        is('source extents', source.extents, [{ offset: 0, length: 1, fill: source.extents[0]?.fill }]),
        is('extent fill is non-zero', source.extents[0]?.fill !== 0, true),
        is('divergence', found.finding.divergence.kind, 'content'),
        is('first differing offset', found.finding.divergence.data['offset'], 0),
      ];
    },
    // repro.sh flattens both outputs and cmp finds the lost byte.
    reproShows: ['reference.flat.raw candidate.flat.raw differ'],
  }),
  convertScenario({
    title: 'fixed VHD taken for raw: the footer is copied as data, shrunk to an empty fixed VHD to raw',
    mutant: 'convert-fixed-vhd-as-raw.sh',
    seed: 21,
    numRuns: 300,
    // Minimal: only the source layout matters (a fixed VHD); it needs no
    // data, the target shrinks to raw without options, and the output is one
    // sector too long with a non-zero tail (the footer), not a zero tail.
    minimal: (found) => {
      const { source, target, compress } = found.value;
      const { referenceSize, candidateSize, onlyZeroTail } = found.finding.divergence.data;
      return [
        is('source layout', source.layout, { format: 'vpc', subformat: 'fixed' }),
        is('source extents', source.extents, []),
        is('source size', source.size, 1),
        is('target', target, { format: 'raw', options: [] }),
        is('compress', compress, false),
        is('divergence', found.finding.divergence.kind, 'virtual-size'),
        is('candidate size', candidateSize, Number(referenceSize) + 512),
        is('only a zero tail differs', onlyZeroTail, false),
      ];
    },
  }),
];
