#!/usr/bin/env bash
# Injected bug (hang): writing a vpc output with a block size that is not a
# multiple of 512 stalls forever, like instar's dense-VHD final-write stall.
# Minimal counterexample: -O vpc with a non-512 bs; nothing else matters.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != dd ]; then exec "$QEMU_IMG" "$@"; fi
vpc=0 bs=512 prev=''
for a in "$@"; do
  case "$a" in bs=*) bs="${a#bs=}" ;; esac
  if [ "$prev" = -O ] && [ "$a" = vpc ]; then vpc=1; fi
  prev="$a"
done
if [ "$vpc" = 1 ] && [ $((bs % 512)) -ne 0 ]; then sleep 3600; fi
exec "$QEMU_IMG" "$@"
