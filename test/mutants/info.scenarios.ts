import { simplifyInfoCase } from '../../arbitraries/info-case-simplify.ts';
import { infoCaseArbitrary, type InfoCase } from '../../arbitraries/info-case.ts';
import type { ResolvedTools } from '../../config/resolve-tools.ts';
import { ReferenceMemo } from '../../drivers/reference-memo.ts';
import { checkInfoCase, type InfoPropertyEnv } from '../../properties/info.ts';
import { is, mutantScenario, type MutantScenario, type PropertyHarness, type ScenarioSpec } from './scenarios.ts';
import { testPropertyEnv } from '../support/property-env.ts';

/** An info property environment for tests, with its own image cache. */
export function infoEnv(tools: ResolvedTools, timeoutMs = 30_000): InfoPropertyEnv {
  return { ...testPropertyEnv(tools, 'info', timeoutMs), referenceMemo: new ReferenceMemo() };
}

const infoHarness: PropertyHarness<InfoCase, InfoPropertyEnv> = {
  property: 'info',
  arbitrary: infoCaseArbitrary,
  makeEnv: (tools, toolTimeoutMs) => infoEnv(tools, toolTimeoutMs),
  check: checkInfoCase,
  simplify: simplifyInfoCase,
  dispose: (env) => env.images.dispose(),
};

const infoScenario = (s: ScenarioSpec<InfoCase, InfoPropertyEnv>): MutantScenario => mutantScenario(infoHarness, s);

/** Each mutant wraps qemu-img and injects one info bug; "minimal" is spelled out per mutant. */
export const scenarios: MutantScenario[] = [
  infoScenario({
    title: 'create-type misreported (metadata only): caught in format-specific from an empty streamOptimized vmdk',
    mutant: 'info-stream-as-sparse.sh',
    seed: 1,
    numRuns: 300,
    // Minimal: the layout is the trigger; size, data and MBR play no part,
    // so they shrink to the smallest size with no extents at all.
    minimal: (found) => [
      is('source', found.value.source, { layout: { format: 'vmdk', subformat: 'streamOptimized' }, size: 1, extents: [] }),
      is('divergence', found.finding.divergence.kind, 'metadata'),
      is('differing paths', found.finding.divergence.data['paths'], ['format-specific.data.create-type']),
    ],
  }),
  infoScenario({
    title: 'qcow2 cluster size misreported (one number): shrunk to 512-byte clusters, no data',
    mutant: 'info-qcow2-default-cluster.sh',
    seed: 2,
    numRuns: 300,
    // Minimal: a qcow2 source whose cluster size is not the default, with
    // cluster bits shrunk to the smallest (9, 512 bytes), no optional
    // features, the smallest size and no data.
    minimal: (found) => [
      is('source', found.value.source, {
        layout: { format: 'qcow2', clusterSize: 512, extendedL2: false, lazyRefcounts: false },
        size: 1,
        extents: [],
      }),
      is('divergence', found.finding.divergence.kind, 'metadata'),
      is('differing paths', found.finding.divergence.data['paths'], ['cluster-size']),
    ],
    // repro.sh diffs the normalised JSON: the candidate's line carries the default cluster size.
    reproShows: ['+    "cluster-size": 65536'],
  }),
  infoScenario({
    title: 'fixed VHD detected from sector 0 only (metadata): reported as raw, shrunk to an empty fixed VHD',
    mutant: 'info-fixed-vhd-probed-as-raw.sh',
    seed: 6,
    numRuns: 300,
    // Minimal: the fixed-VHD layout is the trigger; no size, data or MBR is
    // needed. Probed as raw, the footer counts as data: format and size differ.
    minimal: (found) => [
      is('source', found.value.source, { layout: { format: 'vpc', subformat: 'fixed' }, size: 1, extents: [] }),
      is('divergence', found.finding.divergence.kind, 'metadata'),
      is('differing paths', found.finding.divergence.data['paths'], ['virtual-size', 'format']),
    ],
  }),
  infoScenario({
    title: 'exit status only: a correct vhdx report with exit 1, reduced to an empty vhdx with the default 8 MiB blocks',
    mutant: 'info-vhdx-exit-status.sh',
    seed: 7,
    numRuns: 300,
    // Minimal: the vhdx layout is the trigger; the block size is reduced to
    // qemu-img's default (8 MiB), the size to 1 byte, and there is no data or MBR.
    // Only the status differs: the report itself is qemu-img's, byte for byte.
    minimal: (found) => [
      is('source', found.value.source, { layout: { format: 'vhdx', blockSize: 8 * 1024 * 1024 }, size: 1, extents: [] }),
      is('divergence', found.finding.divergence.kind, 'exit-status'),
      is('reference exit', found.finding.divergence.data['referenceExit'], 0),
      is('candidate exit', found.finding.divergence.data['candidateExit'], 1),
      is('candidate stdout', found.finding.candidate.stdout, found.finding.reference.stdout),
    ],
  }),
  infoScenario({
    title: 'human size formatting (text only): the JSON agrees, the human line differs, on raw without data',
    mutant: 'info-human-decimal-size.sh',
    seed: 3,
    numRuns: 300,
    // Minimal: raw, no data, no MBR, and the smallest requested size that
    // gives its virtual size (one byte past a 512 multiple; qemu-img rounds
    // up). The sizes that print one decimal (1.5 KiB, 2.5 KiB, …, 16.5 KiB)
    // are not one interval, so the shrinker may stop at any of them, not
    // necessarily 1.5 KiB.
    minimal: (found) => {
      const { source } = found.value;
      return [
        is('source format', source.layout.format, 'raw'),
        is('source extents', source.extents, []),
        is('source size modulo 512', source.size % 512, 1),
        is('divergence', found.finding.divergence.kind, 'output-text'),
        is('reference line', found.finding.divergence.data['reference'], `virtual size: ${(source.size + 511) / 1024} KiB (${source.size + 511} bytes)`),
      ];
    },
  }),
  infoScenario({
    title: 'refusing a raw file WITH an MBR is caught (exit status), shrunk to the smallest partitioned raw file',
    mutant: 'info-refuses-all-raw.sh',
    seed: 5,
    numRuns: 300,
    // Minimal: raw with the simplest MBR (one inactive Linux partition from
    // LBA 1, which grows the 1-byte image to 2 sectors) and no other data.
    minimal: (found) => {
      const { source } = found.value;
      return [
        is('source format', source.layout.format, 'raw'),
        is('source size', source.size, 1024),
        is('source extents', source.extents, [
          { offset: 446, length: 64, fill: 0 },
          { offset: 450, length: 1, fill: 0x83 },
          { offset: 454, length: 1, fill: 1 },
          { offset: 458, length: 1, fill: 1 },
          { offset: 510, length: 1, fill: 0x55 },
          { offset: 511, length: 1, fill: 0xaa },
        ]),
        is('divergence', found.finding.divergence.kind, 'exit-status'),
        is('input classes include partition-table', found.finding.inputClasses.includes('partition-table'), true),
      ];
    },
  }),
];
