#!/usr/bin/env bash
# Injected bug (whitelist narrowness): like check-vpc-checked.sh, but the
# vpc report claims a leak while exiting 0. The vpc whitelist entry accepts
# only a clean report, so this is still a finding.
# Minimal counterexample: a clean vpc image (any).
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != check ]; then exec "$QEMU_IMG" "$@"; fi
fmt='' file='' prev=''
for a in "$@"; do
  if [ "$prev" = -f ]; then fmt="$a"; fi
  prev="$a"; file="$a"
done
if [ "$fmt" != vpc ]; then exec "$QEMU_IMG" "$@"; fi
printf '{\n    "check-errors": 0,\n    "leaks": 1,\n    "filename": "%s",\n    "format": "vpc"\n}\n' "$file"
