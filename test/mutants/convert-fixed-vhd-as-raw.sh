#!/usr/bin/env bash
# Injected bug (content and size), after instar's measure bug on fixed VHDs:
# format detection reads sector 0 only, so a fixed VHD (whose "conectix"
# footer is the LAST sector) is taken for raw and its footer is copied as
# data: the output is one sector longer and ends in the footer's bytes.
# Minimal counterexample: a fixed-VHD source with no data, any target.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != convert ]; then exec "$QEMU_IMG" "$@"; fi
in="${@: -2:1}"
if [ "$(head -c 8 "$in")" != conectix ] && [ "$(tail -c 512 "$in" | head -c 8)" = conectix ]; then
  args=() prev=''
  for a in "$@"; do
    if [ "$prev" = -f ]; then a=raw; fi
    args+=("$a")
    prev="$a"
  done
  exec "$QEMU_IMG" "${args[@]}"
fi
exec "$QEMU_IMG" "$@"
