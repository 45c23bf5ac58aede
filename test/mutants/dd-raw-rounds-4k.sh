#!/usr/bin/env bash
# Injected bug (size only): raw outputs are rounded up to 4 KiB instead of
# 512 bytes, leaving a zero tail that `qemu-img compare` would accept.
# Minimal counterexample: any raw output whose size is not a 4 KiB multiple.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != dd ]; then exec "$QEMU_IMG" "$@"; fi
out='' raw=0 prev=''
for a in "$@"; do
  case "$a" in of=*) out="${a#of=}" ;; esac
  if [ "$prev" = -O ] && [ "$a" = raw ]; then raw=1; fi
  prev="$a"
done
"$QEMU_IMG" "$@" || exit $?
if [ "$raw" = 1 ] && [ -f "$out" ]; then
  size=$(stat -c %s "$out")
  truncate -s $(( (size + 4095) / 4096 * 4096 )) "$out"
fi
