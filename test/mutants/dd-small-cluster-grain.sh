#!/usr/bin/env bash
# Injected bug (content), after instar's real bug 1: from a qcow2 source whose
# clusters are smaller than 64 KiB, the vmdk/vpc/vhdx writer copies only the
# first input cluster of each grain, so the second cluster of output comes
# back as zeros.
# Minimal counterexample: qcow2 source with small clusters, data in the
# output's second cluster, a vmdk target.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
QEMU_IO="${QEMU_IO:-qemu-io}"
if [ "${1:-}" != dd ]; then exec "$QEMU_IMG" "$@"; fi
in='' out='' fmt='' prev=''
for a in "$@"; do
  case "$a" in if=*) in="${a#if=}" ;; of=*) out="${a#of=}" ;; esac
  if [ "$prev" = -O ]; then fmt="$a"; fi
  prev="$a"
done
"$QEMU_IMG" "$@" || exit $?
case "$fmt" in vmdk|vpc|vhdx) ;; *) exit 0 ;; esac
info=$("$QEMU_IMG" info --output=json "$in") || exit 0
case "$info" in *'"format": "qcow2"'*) ;; *) exit 0 ;; esac
cluster=$(printf '%s\n' "$info" | sed -n 's/.*"cluster-size": \([0-9]*\).*/\1/p' | head -n1)
[ -n "$cluster" ] && [ "$cluster" -lt 65536 ] || exit 0
size=$("$QEMU_IMG" info --output=json "$out" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p' | head -n1)
[ "$size" -gt "$cluster" ] || exit 0
len=$cluster
[ $((2 * cluster)) -le "$size" ] || len=$((size - cluster))
"$QEMU_IO" -f "$fmt" -c "write -z $cluster $len" "$out" >/dev/null
