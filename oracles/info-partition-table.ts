/**
 * instar's documented rule for accepting a file as raw (its README, "RAW
 * Format Validation", and format_detection.rs): the first sector ends in the
 * 0x55AA boot signature and every non-empty partition entry has a boot
 * indicator of 0x00 or 0x80. A protective GPT MBR (type 0xEE) passes the same
 * way. Files failing it are refused as "unknown format".
 */
const SIGNATURE_OFFSET = 510;
const TABLE_OFFSET = 446;
const ENTRY_BYTES = 16;
const ENTRIES = 4;

export function hasPartitionTable(firstSector: Uint8Array): boolean {
  if (firstSector.length < 512) return false;
  if (firstSector[SIGNATURE_OFFSET] !== 0x55 || firstSector[SIGNATURE_OFFSET + 1] !== 0xaa) return false;
  for (let entry = 0; entry < ENTRIES; entry++) {
    const at = TABLE_OFFSET + entry * ENTRY_BYTES;
    const boot = firstSector[at];
    const type = firstSector[at + 4];
    if (type !== 0 && boot !== 0x00 && boot !== 0x80) return false;
  }
  return true;
}
