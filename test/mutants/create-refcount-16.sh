#!/usr/bin/env bash
# NOT a bug on its own: instar's documented qcow2 divergence (FACTS.md,
# "Known divergences", create): refcount_bits is accepted and 16-bit
# refcounts are written whatever width was asked. The
# create-qcow2-refcount-bits whitelist entry must accept it.
source "$(dirname "$0")/create-lib.sh"
if [ "$fmt" = qcow2 ] && [ -n "$(option refcount_bits)" ]; then opts="$(without refcount_bits),refcount_bits=16"; opts="${opts#,}"; fi
real_create
