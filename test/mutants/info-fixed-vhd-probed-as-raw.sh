#!/usr/bin/env bash
# Injected bug (metadata), after instar's measure bug on fixed VHDs: info
# detects the format from sector 0 only, as qemu-img's probe does, so a fixed
# VHD (whose "conectix" footer is the LAST sector) is reported as raw, one
# sector larger.
# Minimal counterexample: an empty fixed VHD of the smallest size.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != info ]; then exec "$QEMU_IMG" "$@"; fi
args=() skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  if [ "$a" = -f ]; then skip=1; continue; fi
  args+=("$a")
done
exec "$QEMU_IMG" "${args[@]}"
