#!/usr/bin/env bash
# Injected bug (output qemu-img cannot read): a dynamic VHD is written with
# a wrong cookie in its dynamic-disk header, which qemu-img refuses to open.
# Minimal counterexample: vpc (dynamic by default), size 0, no options.
source "$(dirname "$0")/create-lib.sh"
real_create || exit $?
if [ "$fmt" = vpc ] && [ "$(dd if="$file" bs=1 skip=512 count=8 status=none | tr -d '\000')" = cxsparse ]; then
  printf 'cxbroken' | dd of="$file" bs=1 seek=512 conv=notrunc status=none
fi
