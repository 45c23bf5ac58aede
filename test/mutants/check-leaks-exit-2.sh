#!/usr/bin/env bash
# Injected bug (exit code only): an image with leaks but no corruptions is
# reported with exit 2 ("corruptions") instead of 3 ("leaks only"). The
# JSON report is qemu-img's own, unchanged.
# Minimal counterexample: a qcow2 with one leaked cluster and nothing else.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != check ]; then exec "$QEMU_IMG" "$@"; fi
"$QEMU_IMG" "$@"
rc=$?
if [ "$rc" = 3 ]; then exit 2; fi
exit "$rc"
