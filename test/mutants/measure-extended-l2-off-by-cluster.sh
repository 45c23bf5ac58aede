#!/usr/bin/env bash
# Injected bug (a number only): with -O qcow2 -o extended_l2=on, the
# `required` figure is one cluster too large (the extended L2 tables are
# counted once too often). Exit status, fully-allocated and bitmaps are
# qemu-img's own.
# Minimal counterexample: -O qcow2 with only extended_l2=on (default 64 KiB
# clusters) on the smallest input.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != measure ]; then exec "$QEMU_IMG" "$@"; fi
target='' opts='' prev=''
for a in "$@"; do
  case "$prev" in -O) target="$a" ;; -o) opts="$opts,$a" ;; esac
  prev="$a"
done
case "$opts," in *,extended_l2=on,*) ;; *) exec "$QEMU_IMG" "$@" ;; esac
[ "$target" = qcow2 ] || exec "$QEMU_IMG" "$@"
cluster=$(printf '%s\n' "$opts," | sed -n 's/.*,cluster_size=\([0-9]*\),.*/\1/p')
cluster=${cluster:-65536}
out=$("$QEMU_IMG" "$@") || exit $?
while IFS= read -r line; do
  if [[ "$line" =~ ^(.*\"required\":\ |required\ size:\ )([0-9]+)(.*)$ ]]; then
    line="${BASH_REMATCH[1]}$((BASH_REMATCH[2] + cluster))${BASH_REMATCH[3]}"
  fi
  printf '%s\n' "$line"
done <<<"$out"
