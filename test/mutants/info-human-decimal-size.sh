#!/usr/bin/env bash
# Injected bug (human text only): the human size formatter pads one-decimal
# values ("1.5 KiB" becomes "1.50 KiB"); the JSON output is untouched.
# Minimal counterexample: an empty raw image whose virtual size prints with
# one decimal (1536 bytes is "1.5 KiB"; 16896 is "16.5 KiB").
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != info ]; then exec "$QEMU_IMG" "$@"; fi
out=$("$QEMU_IMG" "$@")
rc=$?
printf '%s\n' "$out" | sed -E 's/^(virtual size: [0-9]+\.[0-9]) /\10 /'
exit $rc
