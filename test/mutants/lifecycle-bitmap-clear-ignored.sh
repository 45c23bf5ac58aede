#!/usr/bin/env bash
# Injected bug (bitmap): `--clear` of an existing bitmap exits 0 and leaves
# its bits set (a missing one is refused, as qemu-img does). Every other
# call is qemu-img's own. Minimal counterexample: a bitmap added, one sector
# written, then the bitmap cleared, on the smallest qcow2.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" = bitmap ] && [ "${2:-}" = --clear ] && [ $# -eq 4 ]; then
  if "$QEMU_IMG" info -f qcow2 --output=json "$3" | grep -q "\"name\": \"$4\""; then exit 0; fi
fi
exec "$QEMU_IMG" "$@"
