import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImageFormat } from '../images/image-spec.ts';
import type { ProcessOutcome } from '../drivers/process-outcome.ts';
import { runProcess } from '../drivers/run-process.ts';

/**
 * An output image as a neutral reader (qemu-img) sees it. Byte-for-byte
 * comparison of two writers' files is never the oracle: content goes
 * through a reader.
 */
export type ImageReading =
  | { readonly kind: 'read'; readonly virtualSize: number; readonly bytes: Buffer }
  | { readonly kind: 'unreadable'; readonly outcome: ProcessOutcome };

/** Flattens `path` to raw with qemu-img convert and reads it back. */
export async function readImage(
  qemuImg: string,
  path: string,
  format: ImageFormat,
  scratch: string,
  timeoutMs: number,
): Promise<ImageReading> {
  // Named after the image, so messages that quote it are the same every run.
  const flat = join(scratch, `${basename(path)}.flat.raw`);
  try {
    const outcome = await runProcess([qemuImg, 'convert', '-f', format, '-O', 'raw', path, flat], { timeoutMs });
    if (outcome.termination.kind !== 'exited' || outcome.termination.code !== 0) {
      return { kind: 'unreadable', outcome };
    }
    const bytes = await readFile(flat);
    return { kind: 'read', virtualSize: bytes.length, bytes };
  } finally {
    await rm(flat, { force: true });
  }
}
