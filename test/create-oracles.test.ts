import { open, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { processCounters, runProcess } from '../drivers/run-process.ts';
import type { ProcessOutcome } from '../drivers/process-outcome.ts';
import { scratchDir } from '../images/scratch.ts';
import { checksClean, compareCleanliness, FORMATS_WITHOUT_CHECKS } from '../oracles/create-check.ts';
import { END_WINDOW, FLATTEN_LIMIT, endWindows, readsAsZeros } from '../oracles/create-content.ts';
import { vhdxDefaultBlockSize } from '../oracles/create-defaults.ts';
import { IMAGE_FORMATS } from '../images/image-spec.ts';
import { LibyalReaders, compareLibyal, libyalNeedsReference, type LibyalReading } from '../oracles/create-libyal.ts';
import { exited, signaled, syntheticOutcome } from './support/synthetic-outcome.ts';

const qemuImg = process.env['QEMU_IMG'] ?? 'qemu-img';
const qemuIo = process.env['QEMU_IO'] ?? 'qemu-io';
let dir: { path: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  dir = await scratchDir('create-oracles');
});
afterAll(async () => {
  await dir.cleanup();
});

async function run(argv: string[]): Promise<void> {
  const outcome = await runProcess(argv, { timeoutMs: 30_000 });
  expect(outcome.termination, `${argv.join(' ')}: ${outcome.stderr}`).toEqual({ kind: 'exited', code: 0 });
}

describe('zero read-back of a fresh image', () => {
  const readers = { qemuImg, qemuIo, timeoutMs: 30_000 };

  test('small images are flattened and compared byte for byte; a stray byte is found with a hex view', async () => {
    const file = join(dir.path, 'small.qcow2');
    await run([qemuImg, 'create', '-q', '-f', 'qcow2', file, '64K']);
    expect(await readsAsZeros(readers, file, 'qcow2', 65536n, dir.path)).toEqual({ kind: 'zeros', proof: 'flattened' });
    await run([qemuIo, '-f', 'qcow2', '-c', 'write -P 0xab 4000 1', file]);
    const reading = await readsAsZeros(readers, file, 'qcow2', 65536n, dir.path);
    expect(reading.kind).toBe('not-zeros');
    if (reading.kind === 'not-zeros') {
      expect(reading.offset).toBe(4000n);
      expect(reading.detail).toMatch(/ab/);
    }
  });

  test('a stated size the data does not fill is a difference too', async () => {
    const file = join(dir.path, 'short.raw');
    await run([qemuImg, 'create', '-q', '-f', 'raw', file, '1024']);
    const reading = await readsAsZeros(readers, file, 'raw', 2048n, dir.path);
    expect(reading.kind).toBe('not-zeros');
  });

  test('a raw image is read from its file with no process, windows and verdicts as qemu-img\'s', async () => {
    const spawned = (): number => processCounters().spawned;
    const small = join(dir.path, 'direct.raw');
    await writeFile(small, '');
    await truncate(small, 857);
    const before = spawned();
    // qemu reads an 857-byte raw file as 1024 bytes: the last sector padded with zeros.
    expect(await readsAsZeros(readers, small, 'raw', 1024n, dir.path)).toEqual({ kind: 'zeros', proof: 'flattened' });
    await writeFile(small, Buffer.from([0xab]), { flag: 'r+' });
    const stray = await readsAsZeros(readers, small, 'raw', 1024n, dir.path);
    expect(stray.kind === 'not-zeros' && stray.offset).toBe(0n);
    expect(stray.kind === 'not-zeros' && stray.detail).toMatch(/ab/);
    const size = 64 * 1024 * 1024;
    const large = join(dir.path, 'direct-large.raw');
    await writeFile(large, '');
    await truncate(large, size);
    expect(await readsAsZeros(readers, large, 'raw', BigInt(size), dir.path)).toEqual({ kind: 'zeros', proof: 'end-windows' });
    const handle = await open(large, 'r+');
    await handle.write(Buffer.from([1]), 0, 1, size / 2);
    expect((await readsAsZeros(readers, large, 'raw', BigInt(size), dir.path)).kind).toBe('zeros');
    await handle.write(Buffer.from([1]), 0, 1, size - 10);
    await handle.close();
    const tail = await readsAsZeros(readers, large, 'raw', BigInt(size), dir.path);
    expect(tail.kind === 'not-zeros' && tail.offset).toBe(BigInt(size - END_WINDOW));
    expect(tail.kind === 'not-zeros' && tail.detail).toContain(`at offset ${size - 10}`);
    expect(spawned()).toBe(before);
    // Where qemu-img's reading could differ from the file, qemu-img reads it.
    const missing = await readsAsZeros(readers, join(dir.path, 'absent.raw'), 'raw', 1024n, dir.path);
    expect(missing.kind === 'unreadable' && missing.outcome.argv[1]).toBe('convert');
    expect(spawned()).toBe(before + 1);
  });

  test('large images are read in a window at each end; bytes there are found, the middle is not read', async () => {
    const size = 64 * 1024 * 1024;
    expect(size).toBeGreaterThan(FLATTEN_LIMIT);
    expect(endWindows(BigInt(size))).toEqual([
      { offset: 0n, length: BigInt(END_WINDOW) },
      { offset: BigInt(size - END_WINDOW), length: BigInt(END_WINDOW) },
    ]);
    const file = join(dir.path, 'large.vmdk');
    await run([qemuImg, 'create', '-q', '-f', 'vmdk', file, String(size)]);
    expect(await readsAsZeros(readers, file, 'vmdk', BigInt(size), dir.path)).toEqual({ kind: 'zeros', proof: 'end-windows' });
    await run([qemuIo, '-f', 'vmdk', '-c', `write -P 1 ${size / 2} 512`, file]);
    expect((await readsAsZeros(readers, file, 'vmdk', BigInt(size), dir.path)).kind).toBe('zeros');
    await run([qemuIo, '-f', 'vmdk', '-c', `write -P 1 ${size - 512} 512`, file]);
    const tail = await readsAsZeros(readers, file, 'vmdk', BigInt(size), dir.path);
    expect(tail.kind === 'not-zeros' && tail.offset).toBe(BigInt(size - END_WINDOW));
  });

  test('the end windows of a 2^61-byte image: the tail offset is exact and the read succeeds', async () => {
    // A JavaScript number prints 2^61 - 1 MiB as 2305843009212645400, past the exact offset: a read
    // there crosses the end of the image. A bigint prints its exact digits.
    const size = 2n ** 61n;
    const tail = size - BigInt(END_WINDOW);
    expect(endWindows(size)[1]).toEqual({ offset: tail, length: BigInt(END_WINDOW) });
    expect(String(Number(tail))).not.toBe(tail.toString());
    const file = join(dir.path, 'huge.qcow2');
    await run([qemuImg, 'create', '-q', '-f', 'qcow2', '-o', 'cluster_size=2097152', file, '2097152T']);
    expect(await readsAsZeros(readers, file, 'qcow2', size, dir.path)).toEqual({ kind: 'zeros', proof: 'end-windows' });
  });

  test('a file qemu-img cannot open is unreadable, not zeros', async () => {
    const file = join(dir.path, 'garbage.qcow2');
    await run(['sh', '-c', `printf 'not an image' > '${file}'`]);
    expect((await readsAsZeros(readers, file, 'qcow2', 512n, dir.path)).kind).toBe('unreadable');
    expect((await readsAsZeros(readers, file, 'qcow2', 64n * 1024n * 1024n, dir.path)).kind).toBe('unreadable');
  });
});

function checkOutcome(code: number, json: Record<string, number> = {}): ProcessOutcome {
  return { argv: ['qemu-img'], termination: exited(code), stdout: JSON.stringify(json), stderr: '', truncated: false, wallMs: 1 };
}

describe('check: the candidate at least as clean as the reference', () => {
  test('same or cleaner passes; more trouble, a different verdict on checks, or a crash does not', () => {
    expect(compareCleanliness(checkOutcome(0), checkOutcome(0))).toBeUndefined();
    expect(compareCleanliness(checkOutcome(63), checkOutcome(63))).toBeUndefined();
    expect(compareCleanliness(checkOutcome(3, { leaks: 2 }), checkOutcome(0))).toBeUndefined();
    expect(compareCleanliness(checkOutcome(0), checkOutcome(3, { leaks: 1 }))?.summary).toMatch(/exits 3/);
    expect(compareCleanliness(checkOutcome(3, { leaks: 1 }), checkOutcome(2, { corruptions: 1 }))).toBeDefined();
    expect(compareCleanliness(checkOutcome(3, { leaks: 1 }), checkOutcome(3, { leaks: 4 }))?.summary).toMatch(/more leaks/);
    expect(compareCleanliness(checkOutcome(63), checkOutcome(0))).toBeDefined();
    const crashed = { ...checkOutcome(0), termination: signaled('SIGSEGV') };
    expect(compareCleanliness(checkOutcome(0), crashed)?.summary).toMatch(/SIGSEGV/);
    // Nothing to hold the candidate to when the reference's check did not finish.
    expect(compareCleanliness(crashed, checkOutcome(2))).toBeUndefined();
  });

  test('a clean candidate needs no reference check: no reference outcome makes it diverge, on a format with checks', () => {
    expect(checksClean(checkOutcome(0))).toBe(true);
    expect(checksClean(checkOutcome(0, { leaks: 1 }))).toBe(false);
    expect(checksClean(checkOutcome(3, { leaks: 1 }))).toBe(false);
    expect(checksClean(checkOutcome(63))).toBe(false);
    expect(checksClean({ ...checkOutcome(0), termination: signaled('SIGKILL') })).toBe(false);
    const references = [checkOutcome(0), checkOutcome(3, { leaks: 2 }), checkOutcome(2, { corruptions: 1 }), checkOutcome(1), { ...checkOutcome(0), termination: signaled('SIGSEGV') }];
    for (const reference of references) expect(compareCleanliness(reference, checkOutcome(0))).toBeUndefined();
  });

  test('qemu-img has no check for exactly the formats the create property skips checking (exit 63 on a fresh image)', async () => {
    for (const format of IMAGE_FORMATS) {
      const file = join(dir.path, `checked.${format}`);
      await run([qemuImg, 'create', '-q', '-f', format, file, '1M']);
      const check = await runProcess([qemuImg, 'check', '-f', format, '--output=json', file], { timeoutMs: 30_000 });
      expect(check.termination, format).toEqual(exited(FORMATS_WITHOUT_CHECKS.has(format) ? 63 : 0));
    }
  });
});

describe('independent libyal readers', () => {
  test('absent readers are named once, with their Debian packages', () => {
    const none = new LibyalReaders({ PATH: '/nonexistent' });
    expect(none.readerFor('qcow2')).toBeUndefined();
    expect(none.announcement()).toBe(
      'create: independent readers not installed, skipped: qcowinfo (libqcow-utils), vmdkinfo (libvmdk-utils), vhdiinfo (libvhdi-utils)',
    );
  });

  const parsed = (type: string, mediaSize: number, reader = 'vhdiinfo'): LibyalReading => ({ kind: 'parsed', reader, mediaSize: BigInt(mediaSize), type });
  const qemuView = (virtualSize: number, data: Record<string, string> = {}) => ({
    virtualSize: BigInt(virtualSize),
    document: { 'virtual-size': virtualSize, 'format-specific': { type: 'x', data } },
  });

  test('the candidate must parse when the reference does, with qemu-img\'s size and the expected type', () => {
    const ref = parsed('VHD (version 1) Dynamic', 1079296);
    expect(compareLibyal(ref, parsed('VHD (version 1) Dynamic', 1048576), qemuView(1048576))).toBeUndefined();
    expect(compareLibyal(ref, parsed('VHD (version 1) Fixed', 1048576), qemuView(1048576))?.summary).toMatch(/Fixed/);
    expect(compareLibyal(ref, parsed('VHD (version 1) Dynamic', 1048576), qemuView(1079296))?.summary).toMatch(/1048576/);
    expect(compareLibyal(ref, { kind: 'refused', reader: 'vhdiinfo', message: 'bad footer', outcome: syntheticOutcome(exited(1)) }, qemuView(1))?.summary).toMatch(/bad footer/);
    // The reader cannot parse the reference's file (e.g. zstd qcow2): nothing to compare.
    expect(compareLibyal({ kind: 'refused', reader: 'qcowinfo', message: 'x', outcome: syntheticOutcome(exited(1)) }, { kind: 'refused', reader: 'qcowinfo', message: 'y', outcome: syntheticOutcome(exited(1)) }, qemuView(1))).toBeUndefined();
    // qcow2 and vmdk types follow qemu-img's reading of the same file.
    const v3 = parsed('qcow version 3', 512, 'qcowinfo');
    expect(compareLibyal(v3, parsed('qcow version 3', 512, 'qcowinfo'), qemuView(512, { compat: '1.1' }))).toBeUndefined();
    expect(compareLibyal(v3, parsed('qcow version 2', 512, 'qcowinfo'), qemuView(512, { compat: '1.1' }))).toBeDefined();
    const sparse = parsed('Monolithic sparse', 512, 'vmdkinfo');
    expect(compareLibyal(sparse, parsed('Monolithic sparse', 512, 'vmdkinfo'), qemuView(512, { 'create-type': 'streamOptimized' }))).toBeDefined();
  });

  test('a candidate reading that parses with qemu-img\'s size and type is judged without the reference\'s', () => {
    const v3 = parsed('qcow version 3', 512, 'qcowinfo');
    expect(libyalNeedsReference(undefined, qemuView(512))).toBe(false);
    expect(libyalNeedsReference(v3, qemuView(512, { compat: '1.1' }))).toBe(false);
    // Then compareLibyal finds nothing whatever the reference's reading was.
    const refusedRef: LibyalReading = { kind: 'refused', reader: 'qcowinfo', message: 'x', outcome: syntheticOutcome(exited(1)) };
    for (const ref of [v3, refusedRef, undefined]) expect(compareLibyal(ref, v3, qemuView(512, { compat: '1.1' }))).toBeUndefined();
    expect(libyalNeedsReference(v3, qemuView(1024, { compat: '1.1' }))).toBe(true);
    expect(libyalNeedsReference(v3, qemuView(512, { compat: '0.10' }))).toBe(true);
    expect(libyalNeedsReference({ ...refusedRef }, qemuView(512))).toBe(true);
    // A VHD's type to expect is the reader's view of the reference's file:
    // read unless the candidate's type is the one predicted for the request.
    expect(libyalNeedsReference(parsed('VHD (version 1) Dynamic', 512), qemuView(512))).toBe(true);
    expect(libyalNeedsReference(parsed('VHD (version 1) Dynamic', 512), qemuView(512), 'VHD (version 1) Dynamic')).toBe(false);
    expect(libyalNeedsReference(parsed('VHD (version 1) Fixed', 512), qemuView(512), 'VHD (version 1) Dynamic')).toBe(true);
    expect(libyalNeedsReference(parsed('VHD (version 1) Dynamic', 1024), qemuView(512), 'VHD (version 1) Dynamic')).toBe(true);
    const refusedVhd: LibyalReading = { kind: 'refused', reader: 'vhdiinfo', message: 'x', outcome: syntheticOutcome(exited(1)) };
    expect(libyalNeedsReference(refusedVhd, qemuView(512), 'VHD (version 1) Dynamic')).toBe(true);
    // Skipped only where compareLibyal finds nothing whatever the reference
    // gave, as long as the prediction holds (test/vhdi-type-prediction.test.ts).
    const predicted = parsed('VHDX (version 2) Fixed', 512);
    for (const ref of [predicted, refusedVhd, undefined]) expect(compareLibyal(ref, predicted, qemuView(512))).toBeUndefined();
  });

  const readers = new LibyalReaders(process.env);
  test.runIf(readers.readerFor('vpc') !== undefined && readers.readerFor('qcow2') !== undefined)(
    'installed readers parse qemu-img\'s own images: media size and type',
    async () => {
      const vpc = join(dir.path, 'lib.vpc');
      await run([qemuImg, 'create', '-q', '-f', 'vpc', vpc, '1M']);
      expect(await readers.read('vpc', vpc, 30_000)).toEqual(parsed('VHD (version 1) Dynamic', 1079296));
      const qcow2 = join(dir.path, 'lib.qcow2');
      await run([qemuImg, 'create', '-q', '-f', 'qcow2', '-o', 'compat=0.10', qcow2, '1M']);
      expect(await readers.read('qcow2', qcow2, 30_000)).toEqual(parsed('qcow version 2', 1048576, 'qcowinfo'));
    },
  );
});

describe("qemu-img's vhdx default block size", () => {
  test.each([
    [1024 ** 3, 8],
    [1024 ** 3 + 1, 16],
    [100 * 1024 ** 3, 16],
    [100 * 1024 ** 3 + 512, 32],
    [32 * 1024 ** 4, 32],
    [32 * 1024 ** 4 + 512, 64],
  ])('%i bytes: %i MiB blocks (as qemu-img info reports)', (bytes, mib) => {
    expect(vhdxDefaultBlockSize(bytes)).toBe(mib * 1024 * 1024);
  });

  test('the model agrees with qemu-img at the boundaries', async () => {
    for (const bytes of [1024 ** 3 + 512, 100 * 1024 ** 3 + 512]) {
      const file = join(dir.path, `default-${bytes}.vhdx`);
      await run([qemuImg, 'create', '-q', '-f', 'vhdx', file, String(bytes)]);
      const info = await runProcess([qemuImg, 'info', '-f', 'vhdx', '--output=json', file], { timeoutMs: 30_000 });
      expect((JSON.parse(info.stdout) as { 'cluster-size': number })['cluster-size']).toBe(vhdxDefaultBlockSize(bytes));
      await run(['rm', '-f', file]);
    }
  });
});
