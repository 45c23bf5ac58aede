import { open, type FileHandle } from 'node:fs/promises';
import type { ProcessOutcome } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';
import type { ImageFormat } from '../images/image-spec.ts';
import { compareContent, describeContentDifference } from './content.ts';
import { readImage } from './read-image.ts';

/**
 * A freshly created image must read back as zeros of its stated size.
 *
 * Cost is kept flat whatever the size: images up to FLATTEN_LIMIT are
 * flattened through qemu-img and compared byte for byte (the spine's
 * content oracle, with its hex view); larger ones are proven zero in a
 * window at each end, read by qemu-io with pattern verification. Headers
 * written over the data area and garbage past the end show up in those
 * windows; the middle of a multi-gigabyte image is not read. A raw image
 * is its file: it is read here, with the same windows, and no process.
 */
export const FLATTEN_LIMIT = 4 * 1024 * 1024;
export const END_WINDOW = 1024 * 1024;

export type ZeroReading =
  | { readonly kind: 'zeros'; readonly proof: 'flattened' | 'end-windows' }
  | { readonly kind: 'not-zeros'; readonly summary: string; readonly detail: string; readonly offset: bigint }
  | { readonly kind: 'unreadable'; readonly outcome: ProcessOutcome };

export interface ZeroReaders {
  readonly qemuImg: string;
  readonly qemuIo: string;
  readonly timeoutMs: number;
}

/**
 * The byte ranges read for an image of `virtualSize` bytes above
 * FLATTEN_LIMIT. In bigint: virtual sizes reach 2^61, where a number would
 * round the tail offset past the end of the image.
 */
export function endWindows(virtualSize: bigint): Array<{ offset: bigint; length: bigint }> {
  const window = BigInt(END_WINDOW);
  const length = virtualSize < window ? virtualSize : window;
  const tail = virtualSize - length;
  return tail === 0n ? [{ offset: 0n, length }] : [{ offset: 0n, length }, { offset: tail, length }];
}

/** "Pattern verification failed at offset 0, 512 bytes" */
const PATTERN_FAILURE = /Pattern verification failed at offset (\d+), (\d+) bytes/;

/** The flattened image (virtualSize bytes, as qemu-img reads it) against zeros. */
function judgeFlattened(virtualSize: bigint, bytes: Buffer): ZeroReading {
  const diff = compareContent(Buffer.alloc(Number(virtualSize)), bytes);
  if (diff === undefined) return { kind: 'zeros', proof: 'flattened' };
  const offset = BigInt(diff.kind === 'bytes' ? diff.offset : (diff.firstDifference?.offset ?? Math.min(diff.expectedSize, diff.actualSize)));
  const summary =
    diff.kind === 'size'
      ? `the flattened image is ${diff.actualSize} bytes, not the ${diff.expectedSize} qemu-img info states`
      : `a fresh image reads back non-zero bytes from offset ${diff.offset}`;
  return { kind: 'not-zeros', summary, detail: describeContentDifference(diff, 'zeros', 'candidate'), offset };
}

/** qemu reads a raw file as a whole number of sectors, the last one padded with zeros. */
const SECTOR = 512;

/**
 * `length` bytes of a raw image from `offset`, as qemu-img reads them: the
 * file's bytes, then zeros up to the end of its last sector.
 */
async function rawBytes(file: FileHandle, offset: number, length: number): Promise<Buffer> {
  const bytes = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(bytes, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return bytes;
}

/**
 * A raw image is its file, so it is read here rather than through a qemu-img
 * or qemu-io process (issue 12), with the same windows and verdicts.
 * Undefined whenever qemu-img's reading could differ from the file's bytes
 * (a stated size other than the file's, rounded up to a sector) or the file
 * cannot be read here: the caller then asks qemu-img, whose outcome a
 * finding can quote.
 */
async function rawReadsAsZeros(path: string, virtualSize: bigint): Promise<ZeroReading | undefined> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const { size } = await file.stat();
    if (BigInt(Math.ceil(size / SECTOR) * SECTOR) !== virtualSize) return undefined;
    if (virtualSize <= BigInt(FLATTEN_LIMIT)) return judgeFlattened(virtualSize, await rawBytes(file, 0, Number(virtualSize)));
    for (const { offset, length } of endWindows(virtualSize)) {
      const bytes = await rawBytes(file, Number(offset), Number(length));
      const first = bytes.findIndex((b) => b !== 0);
      if (first >= 0) {
        return {
          kind: 'not-zeros',
          summary: `a fresh image reads back non-zero bytes in the ${length}-byte window at offset ${offset}`,
          detail: `raw image read directly, window ${offset}+${length}: first non-zero byte 0x${(bytes[first] ?? 0).toString(16).padStart(2, '0')} at offset ${offset + BigInt(first)}`,
          offset,
        };
      }
    }
    return { kind: 'zeros', proof: 'end-windows' };
  } catch {
    return undefined;
  } finally {
    await file?.close();
  }
}

export async function readsAsZeros(
  readers: ZeroReaders,
  path: string,
  format: ImageFormat,
  virtualSize: bigint,
  scratch: string,
): Promise<ZeroReading> {
  if (format === 'raw') {
    const direct = await rawReadsAsZeros(path, virtualSize);
    if (direct !== undefined) return direct;
  }
  if (virtualSize <= BigInt(FLATTEN_LIMIT)) {
    const reading = await readImage(readers.qemuImg, path, format, scratch, readers.timeoutMs);
    if (reading.kind === 'unreadable') return { kind: 'unreadable', outcome: reading.outcome };
    return judgeFlattened(virtualSize, reading.bytes);
  }
  const commands = endWindows(virtualSize).flatMap(({ offset, length }) => ['-c', `read -P 0 ${offset} ${length}`]);
  const outcome = await runProcess([readers.qemuIo, '-r', '-f', format, ...commands, path], { timeoutMs: readers.timeoutMs });
  const failure = PATTERN_FAILURE.exec(outcome.stdout + outcome.stderr);
  if (failure !== null) {
    const offset = BigInt(failure[1] ?? '0');
    return {
      kind: 'not-zeros',
      summary: `a fresh image reads back non-zero bytes in the ${failure[2]}-byte window at offset ${offset}`,
      detail: `qemu-io -r ${commands.filter((c) => c !== '-c').join('; ')}:\n${outcome.stdout.trim()}`,
      offset,
    };
  }
  if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0) return { kind: 'unreadable', outcome };
  return { kind: 'zeros', proof: 'end-windows' };
}
