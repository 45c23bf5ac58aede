#!/usr/bin/env bash
# Injected bug (one number): info reports every qcow2 image's cluster size as
# the 64 KiB default instead of reading it from the header.
# Minimal counterexample: an empty qcow2 image with 512-byte clusters.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != info ]; then exec "$QEMU_IMG" "$@"; fi
out=$("$QEMU_IMG" "$@")
rc=$?
case "$out" in
  *'"format": "qcow2"'* | *'file format: qcow2'*)
    printf '%s\n' "$out" | sed -e 's/^    "cluster-size": [0-9]*/    "cluster-size": 65536/' -e 's/^cluster_size: [0-9]*$/cluster_size: 65536/' ;;
  *) printf '%s\n' "$out" ;;
esac
exit $rc
