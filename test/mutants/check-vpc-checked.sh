#!/usr/bin/env bash
# Not a bug: a candidate that, like instar, also checks vpc images and finds
# the suite's (clean) ones clean: exit 0 with a clean JSON report where
# qemu-img 7.2 exits 63. The check whitelist must accept exactly this.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != check ]; then exec "$QEMU_IMG" "$@"; fi
fmt='' file='' prev=''
for a in "$@"; do
  if [ "$prev" = -f ]; then fmt="$a"; fi
  prev="$a"; file="$a"
done
if [ "$fmt" != vpc ]; then exec "$QEMU_IMG" "$@"; fi
printf '{\n    "check-errors": 0,\n    "filename": "%s",\n    "format": "vpc"\n}\n' "$file"
