#!/usr/bin/env bash
# Injected bug (metadata only): info reports a streamOptimized vmdk's
# create-type as monolithicSparse. Everything else, sizes included, is right;
# an oracle that strips format-specific (as the peer fuzzer does) misses it.
# Minimal counterexample: an empty streamOptimized vmdk of the smallest size.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != info ]; then exec "$QEMU_IMG" "$@"; fi
out=$("$QEMU_IMG" "$@")
rc=$?
printf '%s\n' "$out" | sed -e 's/"create-type": "streamOptimized"/"create-type": "monolithicSparse"/' \
  -e 's/^\( *create type: \)streamOptimized$/\1monolithicSparse/'
exit $rc
