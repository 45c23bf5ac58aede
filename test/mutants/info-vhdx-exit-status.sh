#!/usr/bin/env bash
# Injected bug (exit code only): info prints a correct report for a vhdx
# image, then exits 1 (an error from a cleanup step leaks into the status).
# Minimal counterexample: an empty vhdx of the smallest size and block size.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != info ]; then exec "$QEMU_IMG" "$@"; fi
out=$("$QEMU_IMG" "$@")
rc=$?
printf '%s\n' "$out"
case "$out" in
  *'"format": "vhdx"'* | *'file format: vhdx'*) [ "$rc" -eq 0 ] && exit 1 ;;
esac
exit $rc
