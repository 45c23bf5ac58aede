import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runProcess } from '../drivers/run-process.ts';
import type { ImageFormat } from '../images/image-spec.ts';
import { scratchDir } from '../images/scratch.ts';
import type { JsonValue } from '../oracles/divergence.ts';
import { FILENAME_PLACEHOLDER, compareCreateInfo, normaliseCreateInfo } from '../oracles/info-json.ts';

/**
 * The faithful normaliser on real `qemu-img info --output=json` documents:
 * for every target, two images created independently (in files of
 * different names) normalise to the same document, and what a writer could
 * get wrong still shows.
 */
const qemuImg = process.env['QEMU_IMG'] ?? 'qemu-img';
let dir: { path: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  dir = await scratchDir('create-info-json');
});
afterAll(async () => {
  await dir.cleanup();
});

async function createAndInfo(target: ImageFormat, name: string, options: string[] = [], size = '1M'): Promise<{ file: string; document: JsonValue }> {
  const file = join(dir.path, `${name}.${target}`);
  const created = await runProcess([qemuImg, 'create', '-q', '-f', target, ...options, file, size], { timeoutMs: 30_000 });
  expect(created.termination, created.stderr).toEqual({ kind: 'exited', code: 0 });
  const info = await runProcess([qemuImg, 'info', '-f', target, '--output=json', file], { timeoutMs: 30_000 });
  expect(info.termination, info.stderr).toEqual({ kind: 'exited', code: 0 });
  return { file, document: JSON.parse(info.stdout) as JsonValue };
}

function normalised(target: ImageFormat, made: { file: string; document: JsonValue }, askedLogSize = false): JsonValue {
  return normaliseCreateInfo(made.document, { file: made.file, target, askedLogSize });
}

const record = (value: JsonValue | undefined): Record<string, JsonValue> => value as Record<string, JsonValue>;

describe('create info normaliser on real qemu-img info JSON', () => {
  test.each<ImageFormat>(['raw', 'qcow2', 'vmdk', 'vpc', 'vhdx'])(
    '%s: two independent images normalise equal; filename placeholder; actual-size and dirty-flag gone',
    async (target) => {
      const a = await createAndInfo(target, 'first');
      const b = await createAndInfo(target, 'second');
      const na = record(normalised(target, a));
      expect(na['filename']).toBe(FILENAME_PLACEHOLDER);
      expect(na).not.toHaveProperty('actual-size');
      expect(na).not.toHaveProperty('dirty-flag');
      expect(na['virtual-size']).toBe(record(a.document)['virtual-size']);
      expect(compareCreateInfo(na, normalised(target, b)).differences).toEqual([]);
    },
  );

  test('vmdk: two creations differ in cid before normalising, not after; the extent filename is a placeholder too', async () => {
    const a = await createAndInfo('vmdk', 'vmdk-a');
    const b = await createAndInfo('vmdk', 'vmdk-b');
    const data = (doc: JsonValue): Record<string, JsonValue> => record(record(record(doc)['format-specific'])['data']);
    expect(data(a.document)['cid']).not.toBe(data(b.document)['cid']);
    const na = normalised('vmdk', a);
    expect(data(na)).not.toHaveProperty('cid');
    expect(data(na)).not.toHaveProperty('parent-cid');
    expect(data(na)['create-type']).toBe('monolithicSparse');
    const extents = data(na)['extents'] as JsonValue[];
    expect(record(extents[0] ?? null)['filename']).toBe(FILENAME_PLACEHOLDER);
    expect(compareCreateInfo(na, normalised('vmdk', b)).differences).toEqual([]);
  });

  test('format-specific is kept: a different create-type, cluster size or qcow2 feature shows', async () => {
    const sparse = await createAndInfo('vmdk', 'sparse');
    const stream = await createAndInfo('vmdk', 'stream', ['-o', 'subformat=streamOptimized']);
    const vmdkPaths = compareCreateInfo(normalised('vmdk', sparse), normalised('vmdk', stream)).differences.map((d) => d.path);
    expect(vmdkPaths).toContain('format-specific.data.create-type');
    expect(vmdkPaths).toContain('format-specific.data.extents[0].compressed');

    const plain = await createAndInfo('qcow2', 'plain');
    const tuned = await createAndInfo('qcow2', 'tuned', ['-o', 'lazy_refcounts=on,refcount_bits=8']);
    const qcow2 = compareCreateInfo(normalised('qcow2', plain), normalised('qcow2', tuned));
    expect(qcow2.differences.map((d) => d.path).sort()).toEqual(['format-specific.data.lazy-refcounts', 'format-specific.data.refcount-bits']);
    // The report's json-diff: reference lines with "-", candidate lines with "+".
    expect(qcow2.diffText).toMatch(/^-\s+refcount-bits: 16$/m);
    expect(qcow2.diffText).toMatch(/^\+\s+refcount-bits: 8$/m);

    const dynamic = await createAndInfo('vpc', 'dynamic');
    const fixed = await createAndInfo('vpc', 'fixed', ['-o', 'subformat=fixed']);
    expect(compareCreateInfo(normalised('vpc', dynamic), normalised('vpc', fixed)).differences.map((d) => d.path)).toEqual(['cluster-size']);
  });

  test('the size is kept: qemu-img rounds, and a writer that rounds differently shows', async () => {
    const a = await createAndInfo('qcow2', 'odd-a', [], '1000');
    const b = await createAndInfo('qcow2', 'odd-b', [], '1536');
    expect(record(a.document)['virtual-size']).toBe(1024);
    expect(compareCreateInfo(normalised('qcow2', a), normalised('qcow2', b)).differences).toEqual([
      { path: 'virtual-size', reference: '1024', candidate: '1536' },
    ]);
  });
});

describe('create info normaliser on documents newer qemu-img versions print', () => {
  const document: JsonValue = {
    'virtual-size': 1048576,
    filename: '/scratch/candidate.vhdx',
    format: 'vhdx',
    'actual-size': 4096,
    'dirty-flag': false,
    'cluster-size': 8388608,
    'format-specific': { type: 'vhdx', data: { 'log-size': 1048576, 'block-state-zero': true } },
    'l2-cache-size': 1,
    'refcount-block-cache-size': 2,
    'l2-cache-entry-size': 3,
    'cache-clean-interval': 4,
    children: [
      { name: 'file', info: { 'virtual-size': 9437184, filename: '/scratch/candidate.vhdx', format: 'file', 'actual-size': 8192 } },
    ],
  };
  const how = { file: '/scratch/candidate.vhdx', target: 'vhdx' as const };

  test('cache hints, children[*].info.virtual-size and the unasked log size go; the rest stays', () => {
    expect(normaliseCreateInfo(document, { ...how, askedLogSize: false })).toEqual({
      'virtual-size': 1048576,
      filename: FILENAME_PLACEHOLDER,
      format: 'vhdx',
      'cluster-size': 8388608,
      'format-specific': { type: 'vhdx', data: { 'block-state-zero': true } },
      children: [{ name: 'file', info: { filename: FILENAME_PLACEHOLDER, format: 'file' } }],
    });
  });

  test('a log size the case asked for is kept and compared', () => {
    const asked = record(normaliseCreateInfo(document, { ...how, askedLogSize: true }));
    expect(record(record(asked['format-specific'])['data'])['log-size']).toBe(1048576);
  });

  test('a filename that is not the image itself is kept (e.g. a separate extent or data file)', () => {
    const other: JsonValue = { filename: '/scratch/candidate.vhdx', 'data-file': { filename: '/elsewhere/data.raw' } };
    expect(normaliseCreateInfo(other, { ...how, askedLogSize: false })).toEqual({
      filename: FILENAME_PLACEHOLDER,
      'data-file': { filename: '/elsewhere/data.raw' },
    });
  });

  test('the input document is not changed', () => {
    const before = JSON.stringify(document);
    normaliseCreateInfo(document, { ...how, askedLogSize: false });
    expect(JSON.stringify(document)).toBe(before);
  });
});
