#!/usr/bin/env bash
# Injected bug (bench, the qemu-img operation): `bench -w` refuses a qcow2
# image whose clusters are smaller than 64 KiB, as instar once did
# (FACTS.md, "Real bugs", 8), while reads and other images run as usual.
# Minimal counterexample: a write of one byte on the smallest qcow2 with
# a cluster size the simplifier cannot bring back to 64 KiB.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != bench ]; then exec "$QEMU_IMG" "$@"; fi
write=0
for arg in "$@"; do [ "$arg" = -w ] && write=1; done
file="${!#}"
if [ $write -eq 1 ]; then
  # Top-level keys only (four spaces): qemu-img 8.0 and later list the
  # protocol node first, with a "format": "file" of its own.
  cluster=$("$QEMU_IMG" info --output=json "$file" 2>/dev/null | sed -n 's/^    "cluster-size": \([0-9]*\),*$/\1/p' | head -n 1)
  format=$("$QEMU_IMG" info --output=json "$file" 2>/dev/null | sed -n 's/^    "format": "\([a-z0-9]*\)",*$/\1/p' | head -n 1)
  if [ "$format" = qcow2 ] && [ -n "$cluster" ] && [ "$cluster" -lt 65536 ]; then
    echo "Error: bench -w: unsupported qcow2 cluster size $cluster" >&2
    exit 1
  fi
fi
exec "$QEMU_IMG" "$@"
