#!/usr/bin/env bash
# Injected bug (snapshot -d), after instar's real one: deleting a snapshot
# leaves the surviving L2 tables without their COPIED flag (refcount back to
# 1, flag not set again), which qemu-img check reports as corruption. Every
# other call is qemu-img's own. Minimal counterexample: a qcow2 with one
# sector of data, `snapshot -c`, then `snapshot -d` of it.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != snapshot ] || [ "${2:-}" != -d ]; then exec "$QEMU_IMG" "$@"; fi
"$QEMU_IMG" "$@" || exit $?
file="${*: -1}"
be() { od -An -tx1 -j "$1" -N "$2" "$file" | tr -d ' \n'; }
l1_size=$((16#$(be 36 4)))
l1_offset=$((16#$(be 40 8)))
for ((i = 0; i < l1_size; i++)); do
  at=$((l1_offset + 8 * i))
  first=$((16#$(be "$at" 1)))
  if [ "$first" -ge 128 ]; then
    printf "\\x$(printf '%02x' $((first & 127)))" | dd of="$file" bs=1 seek="$at" conv=notrunc status=none
  fi
done
exit 0
