#!/usr/bin/env bash
# Injected bug (bitmap): `--add --disable` adds the bitmap enabled, as if
# --disable were not there. Every other call is qemu-img's own. Minimal
# counterexample: one `bitmap --add --disable b0` on the smallest qcow2.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != bitmap ] || [ "${2:-}" != --add ]; then exec "$QEMU_IMG" "$@"; fi
args=()
for a in "$@"; do [ "$a" = --disable ] || args+=("$a"); done
exec "$QEMU_IMG" "${args[@]}"
