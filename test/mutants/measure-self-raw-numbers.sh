#!/usr/bin/env bash
# A fake candidate that "measures" vmdk, vpc and vhdx targets, which
# qemu-img cannot, with a too-small answer: raw's figures (the guest data
# alone, no format metadata). Everything else is qemu-img's.
# Minimal counterexample: the smallest input whose own vmdk output (header,
# descriptor, grain tables) is longer than its virtual size: any.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != measure ]; then exec "$QEMU_IMG" "$@"; fi
args=() prev='' target=''
for a in "$@"; do
  if [ "$prev" = -O ]; then target="$a"; a=raw; fi
  if [ "$prev" = -o ]; then prev="$a"; continue; fi
  if [ "$a" = -o ]; then prev="$a"; continue; fi
  args+=("$a"); prev="$a"
done
case "$target" in vmdk | vpc | vhdx) exec "$QEMU_IMG" "${args[@]}" ;; esac
exec "$QEMU_IMG" "$@"
