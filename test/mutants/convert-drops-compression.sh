#!/usr/bin/env bash
# Injected bug (compression only): convert ignores -c and writes a
# streamOptimized vmdk as monolithicSparse. The content is right; only the
# compression is gone, which a content oracle alone cannot see.
# Minimal counterexample: one byte of data in a raw source, -O qcow2 -c.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != convert ]; then exec "$QEMU_IMG" "$@"; fi
args=()
for a in "$@"; do
  case "$a" in
    -c) ;;
    *subformat=streamOptimized*) args+=("${a//subformat=streamOptimized/subformat=monolithicSparse}") ;;
    *) args+=("$a") ;;
  esac
done
exec "$QEMU_IMG" "${args[@]}"
