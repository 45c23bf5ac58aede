import type { ImageSpec } from './image-spec.ts';

/** The bytes a reader must see in a spec's image of the given virtual size. */
export function expectedContent(spec: ImageSpec, virtualSize: number): Buffer {
  const bytes = Buffer.alloc(virtualSize);
  for (const extent of spec.extents) {
    const end = Math.min(extent.offset + extent.length, virtualSize);
    if (end > extent.offset) bytes.fill(extent.fill, extent.offset, end);
  }
  return bytes;
}
