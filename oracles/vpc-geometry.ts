/**
 * qemu's VHD (vpc) CHS geometry, as an executable model. qemu-img create -f
 * vpc rounds the requested size up to the first size a cylinders × heads ×
 * sectors geometry can express (unless force_size=on), and reports that
 * rounded size. instar bug 3 in FACTS.md was a different geometry choice.
 */

const SECTOR = 512;
/** 65535 × 16 × 255: the largest geometry; past it the footer size is used. */
export const VHD_MAX_GEOMETRY = 65535 * 16 * 255;

export interface Geometry {
  readonly cylinders: number;
  readonly heads: number;
  readonly sectorsPerTrack: number;
}

/** The geometry the VHD spec's algorithm assigns to a sector count. */
export function geometryFor(totalSectorsIn: number): Geometry {
  const totalSectors = Math.min(totalSectorsIn, VHD_MAX_GEOMETRY);
  let sectorsPerTrack: number;
  let heads: number;
  let cylsTimesHeads: number;
  if (totalSectors >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylsTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylsTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    heads = Math.max(4, Math.ceil(cylsTimesHeads / 1024));
    if (cylsTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylsTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
    if (cylsTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylsTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylsTimesHeads / heads), heads, sectorsPerTrack };
}

function sectorsOf(g: Geometry): number {
  return g.cylinders * g.heads * g.sectorsPerTrack;
}

/**
 * The virtual size qemu reports for `create -f vpc SIZE`: grow the sector
 * count until a geometry covers it (qemu's loop in vpc_co_create).
 */
export function vpcVirtualSize(requestedBytes: number, forceSize = false): number {
  const totalSize = Math.ceil(requestedBytes / SECTOR) * SECTOR;
  if (forceSize) return totalSize;
  const wanted = Math.min(VHD_MAX_GEOMETRY, totalSize / SECTOR);
  let geometry: Geometry = { cylinders: 0, heads: 0, sectorsPerTrack: 0 };
  for (let i = 0; wanted > sectorsOf(geometry); i++) geometry = geometryFor(wanted + i);
  if (sectorsOf(geometry) === VHD_MAX_GEOMETRY) return totalSize;
  return sectorsOf(geometry) * SECTOR;
}
