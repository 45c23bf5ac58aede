#!/usr/bin/env bash
# The documented refcount divergence (create-refcount-16.sh) plus one more
# difference in the same case: when it rewrites refcount_bits, it also turns
# lazy_refcounts on. The whitelist entry must not hide the second field.
source "$(dirname "$0")/create-lib.sh"
# Only in the documented class: a width asked of a version 3 image (under
# compat=0.10 qemu-img refuses other widths, and so must the candidate).
if [ "$fmt" = qcow2 ] && [ -n "$(option refcount_bits)" ] && [ "$(option compat)" != 0.10 ]; then
  opts="$(without refcount_bits)"; opts="$(opts="$opts" without lazy_refcounts)"
  opts="${opts:+$opts,}refcount_bits=16,lazy_refcounts=on"
fi
real_create
