#!/usr/bin/env bash
# The documented vpc size divergence (create-vpc-exact-size.sh) plus one
# more difference in the same case: the first sector of a fresh image reads
# back as 0xff instead of zeros. The whitelist entry must not hide it.
source "$(dirname "$0")/create-lib.sh"
# Only where qemu-img would round: force_size absent or off (other values are refused as usual).
if [ "$fmt" = vpc ] && { [ -z "$(option force_size)" ] || [ "$(option force_size)" = off ]; }; then
  opts="$(without force_size)"; opts="${opts:+$opts,}force_size=on"
fi
real_create || exit $?
if [ "$fmt" = vpc ] && [ "$("$QEMU_IMG" info -f vpc --output=json "$file" | sed -n 's/^    "virtual-size": \([0-9]*\).*/\1/p')" -ge 512 ]; then
  "$QEMU_IO" -f vpc -c 'write -P 0xff 0 512' "$file" >/dev/null
fi
