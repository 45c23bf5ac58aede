import { describe, expect, test } from 'vitest';
import { withMbr } from '../arbitraries/info-case.ts';
import type { ProcessOutcome, Termination } from '../drivers/process-outcome.ts';
import { expectedContent } from '../images/expected-content.ts';
import type { ImageSpec } from '../images/image-spec.ts';
import { divergence, type DivergenceKind, type Observation } from '../oracles/divergence.ts';
import { normaliseInfoHuman, normaliseInfoJson, diffJson } from '../oracles/info-output.ts';
import { hasPartitionTable } from '../oracles/info-partition-table.ts';
import { RunStats } from '../oracles/run-stats.ts';
import { infoWhitelist, matchWhitelist, type InfoFacts } from '../whitelist.ts';
import { exited, signaled, timedOut } from './support/synthetic-outcome.ts';

const RAW_JSON = '{\n    "virtual-size": 512,\n    "filename": "source.raw",\n    "format": "raw",\n    "actual-size": 4096,\n    "dirty-flag": false\n}\n';
const REFUSAL = 'info: unknown format: source.raw has no format header and no partition table\n';

const raw: ImageSpec = { layout: { format: 'raw' }, size: 512, extents: [] };
const partitioned = withMbr(raw, { bootable: true, partitionType: 0x83, startLba: 1 });

function facts(source: ImageSpec): InfoFacts {
  return { infoCase: { source, outputs: ['json', 'human'] }, hasPartitionTable: hasPartitionTable(expectedContent(source, 512)) };
}

function outcome(termination: Termination, stdout: string, stderr: string): ProcessOutcome {
  return { argv: ['tool'], termination, stdout, stderr, truncated: false, wallMs: 1 };
}

function observation(kind: DivergenceKind, reference: ProcessOutcome, candidate: ProcessOutcome): Observation {
  return { divergence: divergence(kind, 'synthetic'), reference, candidate };
}

const refusal = observation('exit-status', outcome(exited(0), RAW_JSON, ''), outcome(exited(1), '', REFUSAL));

function accepted(f: InfoFacts, o: Observation): string | undefined {
  return matchWhitelist(infoWhitelist, f, o, new RunStats('info'), '7.2')?.id;
}

describe('info whitelist: instar refuses raw without a partition table', () => {
  test('one entry, with a reason, a source and a signature', () => {
    expect(infoWhitelist.map((e) => e.id)).toEqual(['info-raw-without-partition-table']);
    for (const entry of infoWhitelist) {
      expect(entry.reason.length).toBeGreaterThan(20);
      expect(entry.documentedAt).toMatch(/FACTS\.md/);
      expect(entry.signature).toMatch(/unknown format/);
    }
  });

  test('accepts the documented refusal of an unpartitioned raw file, in JSON and human mode', () => {
    expect(accepted(facts(raw), refusal)).toBe('info-raw-without-partition-table');
    const human = observation('exit-status', outcome(exited(0), 'image: source.raw\nfile format: raw\n', ''), outcome(exited(1), '', REFUSAL));
    expect(accepted(facts(raw), human)).toBe('info-raw-without-partition-table');
  });

  test('does not apply to a raw file with an MBR, nor to other formats', () => {
    expect(facts(partitioned).hasPartitionTable).toBe(true);
    expect(accepted(facts(partitioned), refusal)).toBeUndefined();
    expect(accepted(facts({ ...raw, layout: { format: 'vpc', subformat: 'fixed' } }), refusal)).toBeUndefined();
  });

  test('rejects every other outcome in its class', () => {
    const ref = outcome(exited(0), RAW_JSON, '');
    const others: Array<[string, Observation]> = [
      ['a crash', observation('candidate-crash', ref, outcome(signaled('SIGSEGV'), '', REFUSAL))],
      ['a hang', observation('candidate-timeout', ref, outcome(timedOut(30_000), '', REFUSAL))],
      ['another message', observation('exit-status', ref, outcome(exited(1), '', 'info: cannot open source.raw\n'))],
      ['the message on stdout only', observation('exit-status', ref, outcome(exited(1), REFUSAL, ''))],
      ['a reference that reports another format', observation('exit-status', outcome(exited(0), RAW_JSON.replace('"raw"', '"vpc"'), ''), outcome(exited(1), '', REFUSAL))],
      ['a candidate that succeeds with other metadata', observation('metadata', ref, outcome(exited(0), RAW_JSON, ''))],
    ];
    for (const [what, o] of others) expect(accepted(facts(raw), o), what).toBeUndefined();
  });
});

describe('info normalisation is narrow', () => {
  test('JSON: only the top-level filename and actual-size become placeholders; format-specific stays', () => {
    const reference = { filename: 'a', 'actual-size': 1, 'format-specific': { data: { 'create-type': 'streamOptimized', extents: [{ filename: 'a' }] } } };
    const candidate = { filename: 'b', 'actual-size': 2, 'format-specific': { data: { 'create-type': 'monolithicSparse', extents: [{ filename: 'b' }] } } };
    expect(diffJson(normaliseInfoJson(reference), normaliseInfoJson(candidate)).map((d) => d.path)).toEqual([
      'format-specific.data.create-type',
      'format-specific.data.extents[0].filename',
    ]);
    // A key one side lacks is a difference, not normalised away.
    expect(diffJson(normaliseInfoJson({ filename: 'a' }), normaliseInfoJson({ filename: 'a', 'actual-size': 3 }))).toEqual([
      { path: 'actual-size', reference: '(absent)', candidate: '"<DISK-SIZE>"' },
    ]);
  });

  test('JSON: a child node (qemu-img 8.0 and later) has its filename and actual-size replaced too, nothing else', () => {
    const child = (filename: string, actual: number, length: number) => ({ name: 'file', info: { filename, 'actual-size': actual, 'virtual-size': length, format: 'file' } });
    const reference = { filename: 'a', children: [child('a', 4096, 1048576)] };
    expect(diffJson(normaliseInfoJson(reference), normaliseInfoJson({ filename: '/abs/a', children: [child('/abs/a', 8192, 1048576)] }))).toEqual([]);
    // The file's length is a fact about the same file: it must agree.
    expect(diffJson(normaliseInfoJson(reference), normaliseInfoJson({ filename: 'a', children: [child('a', 4096, 1048577)] })).map((d) => d.path)).toEqual([
      'children[0].info.virtual-size',
    ]);
    // A candidate without the child list (7.2's shape) differs from a 10.0 reference.
    expect(diffJson(normaliseInfoJson(reference), normaliseInfoJson({ filename: 'a' })).map((d) => d.path)).toEqual(['children']);
  });

  test('human: a child node section has its filename and disk size replaced, not the lines of other sections', () => {
    const text = 'image: a.raw\nfile format: raw\ndisk size: 4 KiB\nChild node \'/file\':\n    filename: a.raw\n    protocol type: file\n    file length: 1 MiB (1048576 bytes)\n    disk size: 4 KiB\n';
    expect(normaliseInfoHuman(text)).toEqual([
      'image: <FILE>',
      'file format: raw',
      'disk size: <DISK-SIZE>',
      "Child node '/file':",
      '    filename: <FILE>',
      '    protocol type: file',
      '    file length: 1 MiB (1048576 bytes)',
      '    disk size: <DISK-SIZE>',
      '',
    ]);
  });

  test('human: only the image and disk size lines', () => {
    expect(normaliseInfoHuman('image: /x/a.vmdk\nfile format: vmdk\ndisk size: 4 KiB\n        filename: /x/a.vmdk\n')).toEqual([
      'image: <FILE>',
      'file format: vmdk',
      'disk size: <DISK-SIZE>',
      '        filename: /x/a.vmdk',
      '',
    ]);
  });
});
