/**
 * qemu-img's choices when `create` is given no value, as small models
 * the whitelist checks exact numbers against (verified with qemu-img create
 * and info at each boundary; the same in 7.2.22 and 10.0.2).
 */

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

/**
 * vhdx's default block size grows with the image: 8 MiB up to 1 GiB,
 * 16 MiB up to 100 GiB, 32 MiB up to 32 TiB, 64 MiB beyond.
 */
export function vhdxDefaultBlockSize(requestedBytes: number): number {
  const size = Math.ceil(requestedBytes / 512) * 512;
  if (size > 32 * TiB) return 64 * MiB;
  if (size > 100 * GiB) return 32 * MiB;
  if (size > GiB) return 16 * MiB;
  return 8 * MiB;
}

/** The block size instar writes when none is asked (FACTS.md: always 8 MiB). */
export const INSTAR_VHDX_DEFAULT_BLOCK_SIZE = 8 * MiB;
