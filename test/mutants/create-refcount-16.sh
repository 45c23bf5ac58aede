#!/usr/bin/env bash
# NOT a bug on its own: instar's documented qcow2 divergence (FACTS.md,
# "Known divergences", create): refcount_bits is accepted and 16-bit
# refcounts are written whatever width was asked. The
# create-qcow2-refcount-bits whitelist entry must accept it.
source "$(dirname "$0")/create-lib.sh"
# Only in the documented class: a width asked of a version 3 image (under
# compat=0.10 qemu-img refuses other widths, and so must the candidate).
if [ "$fmt" = qcow2 ] && [ -n "$(option refcount_bits)" ] && [ "$(option compat)" != 0.10 ]; then opts="$(without refcount_bits),refcount_bits=16"; opts="${opts#,}"; fi
real_create
