import type { DdWindow } from '../arbitraries/dd-case.ts';
import type { ImageFormat } from '../images/image-spec.ts';
import { vpcVirtualSize } from './vpc-geometry.ts';

/**
 * qemu-img dd's window semantics as a pure model: the written parity
 * contract the reference is checked against (FACTS.md, "qemu-img behaviour").
 *
 * - count clamps the END of the window, before skip is subtracted:
 *   end = count*bs when count*bs fits in the image, else the image size;
 * - skip*bs past that end warns "cannot skip to specified offset" and gives
 *   an empty output; skip*bs at the end gives an empty output silently;
 * - the last partial block is copied;
 * - the output is created at the window length, and the output format rounds
 *   that up (512 bytes for most; a CHS geometry for vpc);
 * - an empty vmdk cannot be created, so that case fails.
 */
export type DdPrediction =
  | { readonly kind: 'fails'; readonly reason: string }
  | {
      readonly kind: 'succeeds';
      /** Offset in the source where the copied data starts. */
      readonly start: number;
      /** Bytes copied. */
      readonly length: number;
      /** Virtual size of the output image. */
      readonly outputSize: number;
      /** True when qemu-img warns that skip is past the end. */
      readonly skipPastEnd: boolean;
    };

const SECTOR = 512;

export function createdSize(format: ImageFormat, bytes: number): number {
  if (format === 'vpc') return vpcVirtualSize(bytes);
  return Math.ceil(bytes / SECTOR) * SECTOR;
}

export function predictDd(sourceVirtualSize: number, window: DdWindow, target: ImageFormat): DdPrediction {
  const { bs } = window;
  let end = sourceVirtualSize;
  if (window.count !== undefined && window.count <= Math.floor(sourceVirtualSize / bs)) end = window.count * bs;
  const wantedStart = (window.skip ?? 0) * bs;
  const skipPastEnd = wantedStart > end;
  const start = skipPastEnd ? end : wantedStart;
  const length = end - start;
  if (length === 0 && target === 'vmdk') {
    return { kind: 'fails', reason: 'vmdk cannot represent a zero-capacity disk' };
  }
  return { kind: 'succeeds', start, length, outputSize: createdSize(target, length), skipPastEnd };
}

/** The output's bytes: the window's data, then zeros up to the output size. */
export function predictDdContent(source: Uint8Array, prediction: DdPrediction & { kind: 'succeeds' }): Buffer {
  const out = Buffer.alloc(prediction.outputSize);
  const available = Math.max(0, Math.min(prediction.length, source.length - prediction.start));
  if (available > 0) Buffer.from(source.buffer, source.byteOffset + prediction.start, available).copy(out, 0);
  return out;
}
