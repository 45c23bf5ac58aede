#!/usr/bin/env bash
# Injected bug (bench, the qemu-img operation): `--pattern` is parsed but
# not used, so `bench -w` writes its default byte (0) whatever was asked.
# The header still echoes nothing of the pattern, so only the content
# shows it. Minimal counterexample: one 1-byte write of pattern 1 on the
# smallest raw image.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != bench ]; then exec "$QEMU_IMG" "$@"; fi
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = --pattern ] && [ $# -ge 2 ]; then args+=(--pattern 0); shift 2; continue; fi
  args+=("$1"); shift
done
exec "$QEMU_IMG" "${args[@]}"
