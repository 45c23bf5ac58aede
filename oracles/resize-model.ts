import type { ImageFormat, ImageSpec } from '../images/image-spec.ts';
import { expectedContent } from '../images/expected-content.ts';
import { compareContent, describeContentDifference } from './content.ts';
import { vpcVirtualSize } from './vpc-geometry.ts';

/**
 * What a correct resize to `newSize` leaves, read through qemu-img as
 * `readBackSize` bytes: the spec's bytes below min(old size, newSize), zeros
 * from there on. Checked against qemu-img 7.2.22 and 10.0.2: a qcow2 shrink
 * below written data succeeds with --shrink and drops the data past the new
 * end (neither version refuses), and a grow reads back as zeros. The data
 * ends at `newSize` even where the image reads back longer: a raw file cut
 * to 857 bytes reads as 1024, its bytes from 857 on zeros (calibration found
 * the model keeping data up to the read-back size).
 */
export function contentAfterResize(spec: ImageSpec, oldVirtualSize: number, newSize: number, readBackSize: number): Buffer {
  const kept = expectedContent(spec, Math.min(oldVirtualSize, newSize, readBackSize));
  const bytes = Buffer.alloc(readBackSize);
  kept.copy(bytes, 0, 0, kept.length);
  return bytes;
}

/**
 * Virtual sizes a correct resize to `newSize` may read back as. raw: the
 * file is `newSize` bytes long, and qemu-img reads whole sectors (7.2.22
 * and 10.0.2: a 513-byte file has virtual size 1024, the rest read as
 * zeros). A dynamic or fixed VHD may carry the exact size or the CHS
 * geometry's rounding of it (oracles/vpc-geometry.ts), as create does.
 * Every other format: the exact size.
 */
export function acceptedNewSizes(format: ImageFormat, newSize: number): number[] {
  switch (format) {
    case 'raw':
      return [Math.ceil(newSize / 512) * 512];
    case 'vpc':
      return [...new Set([newSize, vpcVirtualSize(newSize)])];
    default:
      return [newSize];
  }
}

/** undefined when `bytes` read back as the model says; else why not, in words. */
export function resizeModelProblem(spec: ImageSpec, format: ImageFormat, oldVirtualSize: number, newSize: number, bytes: Uint8Array): string | undefined {
  const sizes = acceptedNewSizes(format, newSize);
  if (!sizes.includes(bytes.length)) return `reads back as ${bytes.length} bytes; asked ${newSize} (accepted: ${sizes.join(' or ')})`;
  const expected = contentAfterResize(spec, oldVirtualSize, newSize, bytes.length);
  const difference = compareContent(expected, bytes);
  return difference === undefined ? undefined : describeContentDifference(difference, 'the model', 'the image');
}
