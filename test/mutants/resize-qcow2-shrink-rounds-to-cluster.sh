#!/usr/bin/env bash
# Injected bug (resize, qcow2): a shrink rounds the new size up to a whole
# cluster, as a tool that frees whole clusters and keeps the header's size
# in clusters would; the image ends up larger than asked.
# Minimal counterexample: a qcow2 image of default 64 KiB clusters shrunk by
# one sector (to a size that is not a cluster multiple).
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != resize ]; then exec "$QEMU_IMG" "$@"; fi
args=("$@")
file="${args[$#-2]}"
size="${args[$#-1]}"
qcow2=0
for ((i = 1; i < $# - 1; i++)); do
  if [ "${args[$i]}" = -f ] && [ "${args[$i+1]}" = qcow2 ]; then qcow2=1; fi
done
[ $qcow2 -eq 1 ] || exec "$QEMU_IMG" "$@"
info="$("$QEMU_IMG" info -f qcow2 --output=json "$file" 2>/dev/null)" || exec "$QEMU_IMG" "$@"
old=$(printf '%s\n' "$info" | sed -n 's/^    "virtual-size": \([0-9]*\).*/\1/p')
cluster=$(printf '%s\n' "$info" | sed -n 's/^    "cluster-size": \([0-9]*\).*/\1/p')
case "$size" in
  +*) end=$((old + ${size#+})) ;;
  -*) end=$((old - ${size#-})) ;;
  *) end=$size ;;
esac
if [ "$end" -lt "$old" ] && [ $((end % cluster)) -ne 0 ]; then
  args[$#-1]=$(((end + cluster - 1) / cluster * cluster))
fi
exec "$QEMU_IMG" "${args[@]}"
