#!/usr/bin/env bash
# Injected bug (bench, the qemu-img operation): the header echoes -S as
# typed, so `-S 0` prints "step size 0" where qemu-img prints the step it
# uses (the buffer size). Everything else, the I/O included, is right.
# Minimal counterexample: the simplest case of all (a one-byte read on the
# smallest raw image with -S 0).
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != bench ]; then exec "$QEMU_IMG" "$@"; fi
step=''
prev=''
for arg in "$@"; do [ "$prev" = -S ] && step="$arg"; prev="$arg"; done
out=$("$QEMU_IMG" "$@")
rc=$?
if [ "$step" = 0 ]; then out=$(printf '%s\n' "$out" | sed -E 's/step size [0-9]+\)$/step size 0)/'); fi
[ -n "$out" ] && printf '%s\n' "$out"
exit $rc
