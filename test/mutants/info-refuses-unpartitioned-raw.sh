#!/usr/bin/env bash
# Not a bug: instar's documented refusal, for the whitelist test. A file that
# probes as raw (and is not a fixed VHD) is refused as "unknown format" unless sector 0 holds a valid
# MBR (0x55AA at 510, boot indicator 0x00/0x80 on every non-empty entry).
# With REFUSE_ALL_RAW=1 it refuses raw files WITH an MBR too: that is a bug.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != info ]; then exec "$QEMU_IMG" "$@"; fi
file="${!#}"
valid_mbr() {
  local bytes
  bytes=($(od -An -tu1 -j446 -N66 -v "$file")) || return 1
  [ "${#bytes[@]}" -eq 66 ] && [ "${bytes[64]}" -eq 85 ] && [ "${bytes[65]}" -eq 170 ] || return 1
  for entry in 0 16 32 48; do
    boot=${bytes[$entry]} type=${bytes[$((entry + 4))]}
    if [ "$type" -ne 0 ] && [ "$boot" -ne 0 ] && [ "$boot" -ne 128 ]; then return 1; fi
  done
}
# Like instar, a fixed VHD is found by its footer (qemu-img's probe calls it raw).
fixed_vhd() { [ "$(tail -c 512 "$file" | head -c 8)" = conectix ]; }
if "$QEMU_IMG" info --output=json "$file" 2>/dev/null | grep -q '^    "format": "raw"' && ! fixed_vhd; then
  if [ "${REFUSE_ALL_RAW:-0}" = 1 ] || ! valid_mbr; then
    echo "info: unknown format: $file has no format header and no partition table (use --unsafe-quirks)" >&2
    exit 1
  fi
fi
exec "$QEMU_IMG" "$@"
