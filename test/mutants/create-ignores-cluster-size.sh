#!/usr/bin/env bash
# Injected bug (option accepted but ignored): cluster_size is parsed and
# dropped, so every qcow2 image gets the default 64 KiB clusters.
# Minimal counterexample: qcow2, size 0, the one option cluster_size=512.
source "$(dirname "$0")/create-lib.sh"
opts="$(without cluster_size)"
real_create
