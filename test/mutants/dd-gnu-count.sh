#!/usr/bin/env bash
# Injected bug (window semantics): count is applied AFTER skip, as GNU dd
# does, instead of clamping the end before skip is subtracted.
# Minimal counterexample: count=1 skip=1 on an image of at least 2 blocks.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != dd ]; then exec "$QEMU_IMG" "$@"; fi
count='' skip=0 args=()
for a in "$@"; do
  case "$a" in
    count=*) count="${a#count=}" ;;
    skip=*) skip="${a#skip=}"; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
if [ -n "$count" ]; then args+=("count=$((count + skip))"); fi
exec "$QEMU_IMG" "${args[@]}"
