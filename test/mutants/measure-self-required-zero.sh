#!/usr/bin/env bash
# A fake candidate that "measures" vmdk, vpc and vhdx targets with a
# required figure of 0 (and an ample fully-allocated one): it forgets the
# data entirely. Everything else is qemu-img's.
# Minimal counterexample: any input whose qemu-img output stores guest data.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != measure ]; then exec "$QEMU_IMG" "$@"; fi
json=0 target='' prev=''
for a in "$@"; do
  case "$a" in --output=json) json=1 ;; esac
  if [ "$prev" = -O ]; then target="$a"; fi
  prev="$a"
done
case "$target" in vmdk | vpc | vhdx) ;; *) exec "$QEMU_IMG" "$@" ;; esac
full=$((1 << 60))
if [ "$json" = 1 ]; then
  printf '{\n    "required": 0,\n    "fully-allocated": %s\n}\n' "$full"
else
  printf 'required size: 0\nfully allocated size: %s\n' "$full"
fi
