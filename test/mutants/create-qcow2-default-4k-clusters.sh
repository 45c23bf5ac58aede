#!/usr/bin/env bash
# Injected bug (wrong default): a qcow2 image created without cluster_size
# gets 4 KiB clusters instead of 64 KiB.
# Minimal counterexample: qcow2, size 0, no options at all.
source "$(dirname "$0")/create-lib.sh"
if [ "$fmt" = qcow2 ] && [ -z "$(option cluster_size)" ]; then opts="${opts:+$opts,}cluster_size=4096"; fi
real_create
