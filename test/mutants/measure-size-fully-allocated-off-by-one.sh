#!/usr/bin/env bash
# Injected bug (a number only, past 2^53): for `measure --size N`, the
# fully-allocated figure is one byte too large once it exceeds 2^53, where
# a JavaScript number can no longer tell it from the right one (a 64-bit
# size kept in a double somewhere). Exit status, required and bitmaps are
# qemu-img's own.
# Minimal counterexample: --size 9007199254740993 (2^53 + 1) to raw with no
# options, whose fully-allocated is 2^53 + 512.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != measure ]; then exec "$QEMU_IMG" "$@"; fi
sized=''
for a in "$@"; do [ "$a" = --size ] && sized=1; done
[ -n "$sized" ] || exec "$QEMU_IMG" "$@"
out=$("$QEMU_IMG" "$@") || exit $?
while IFS= read -r line; do
  if [[ "$line" =~ ^(.*\"fully-allocated\":\ |fully\ allocated\ size:\ )([0-9]+)(.*)$ ]] && [ "${BASH_REMATCH[2]}" -gt 9007199254740992 ]; then
    line="${BASH_REMATCH[1]}$((BASH_REMATCH[2] + 1))${BASH_REMATCH[3]}"
  fi
  printf '%s\n' "$line"
done <<<"$out"
