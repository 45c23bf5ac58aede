#!/usr/bin/env bash
# NOT a bug on its own: instar's documented vpc divergence (FACTS.md,
# "Known divergences", create). The VHD gets exactly the size asked for,
# rounded to a whole sector, instead of qemu's CHS-rounded size; written
# here with qemu-img's own force_size=on. The create-vpc-chs-size whitelist
# entry must accept it, and nothing else may differ.
source "$(dirname "$0")/create-lib.sh"
# Only where qemu-img would round: force_size absent or off (other values are refused as usual).
if [ "$fmt" = vpc ] && { [ -z "$(option force_size)" ] || [ "$(option force_size)" = off ]; }; then
  opts="$(without force_size)"; opts="${opts:+$opts,}force_size=on"
fi
real_create
