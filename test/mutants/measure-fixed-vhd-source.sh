#!/usr/bin/env bash
# Injected bug (exit status), after instar's real measure bug: the source
# format is detected from sector 0 only, so a fixed VHD (whose only footer
# is the last sector) is "unsupported" and measure exits 1 where qemu-img
# exits 0. Dynamic VHDs carry a footer copy at offset 0 and still work.
# Minimal counterexample: a fixed vpc source, measured to raw.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != measure ]; then exec "$QEMU_IMG" "$@"; fi
fmt='' file='' prev=''
for a in "$@"; do
  if [ "$prev" = -f ]; then fmt="$a"; fi
  prev="$a"; file="$a"
done
if [ "$fmt" = vpc ] && [ "$(head -c 8 "$file" | tr -d '\000')" != conectix ]; then
  echo "measure: source image is unsupported format" >&2
  exit 1
fi
exec "$QEMU_IMG" "$@"
