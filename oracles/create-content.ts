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
 * windows; the middle of a multi-gigabyte image is not read.
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

export async function readsAsZeros(
  readers: ZeroReaders,
  path: string,
  format: ImageFormat,
  virtualSize: bigint,
  scratch: string,
): Promise<ZeroReading> {
  if (virtualSize <= BigInt(FLATTEN_LIMIT)) {
    const reading = await readImage(readers.qemuImg, path, format, scratch, readers.timeoutMs);
    if (reading.kind === 'unreadable') return { kind: 'unreadable', outcome: reading.outcome };
    const diff = compareContent(Buffer.alloc(Number(virtualSize)), reading.bytes);
    if (diff === undefined) return { kind: 'zeros', proof: 'flattened' };
    const offset = BigInt(diff.kind === 'bytes' ? diff.offset : (diff.firstDifference?.offset ?? Math.min(diff.expectedSize, diff.actualSize)));
    const summary =
      diff.kind === 'size'
        ? `the flattened image is ${diff.actualSize} bytes, not the ${diff.expectedSize} qemu-img info states`
        : `a fresh image reads back non-zero bytes from offset ${diff.offset}`;
    return { kind: 'not-zeros', summary, detail: describeContentDifference(diff, 'zeros', 'candidate'), offset };
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
