import { vpcVirtualSize } from '../oracles/vpc-geometry.ts';
import type { ImageSpec } from './image-spec.ts';

/**
 * The virtual size qemu-img gives a spec's image, computed without running
 * it: vpc rounds to a CHS geometry, every other format to 512 bytes. Lets
 * arbitraries reason about a window before any image exists.
 */
export function predictedVirtualSize(spec: ImageSpec): number {
  return spec.layout.format === 'vpc' ? vpcVirtualSize(spec.size) : Math.ceil(spec.size / 512) * 512;
}
