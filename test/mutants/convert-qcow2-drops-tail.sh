#!/usr/bin/env bash
# Injected bug (content): the qcow2 writer walks whole clusters only, so when
# the virtual size is not a multiple of the cluster size the last, partial
# cluster is never written and reads back as zeros.
# Minimal counterexample: a 1-byte raw source holding data, -O qcow2.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
QEMU_IO="${QEMU_IO:-qemu-io}"
if [ "${1:-}" != convert ]; then exec "$QEMU_IMG" "$@"; fi
out="${!#}" fmt='' prev=''
for a in "$@"; do
  if [ "$prev" = -O ]; then fmt="$a"; fi
  prev="$a"
done
"$QEMU_IMG" "$@" || exit $?
[ "$fmt" = qcow2 ] || exit 0
info=$("$QEMU_IMG" info -f qcow2 --output=json "$out") || exit 0
size=$(printf '%s\n' "$info" | sed -n 's/^    "virtual-size": \([0-9]*\).*/\1/p')
cluster=$(printf '%s\n' "$info" | sed -n 's/^    "cluster-size": \([0-9]*\).*/\1/p')
tail=$((size % cluster))
[ "$tail" -gt 0 ] || exit 0
"$QEMU_IO" -f qcow2 -c "write -z $((size - tail)) $tail" "$out" >/dev/null
