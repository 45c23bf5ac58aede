#!/usr/bin/env bash
# Injected bug (exit status): instar's raw refusal, but applied to raw files
# WITH a valid MBR too, which instar must accept.
# Minimal counterexample: the smallest raw file holding just an MBR.
REFUSE_ALL_RAW=1 exec "$(dirname "$0")/info-refuses-unpartitioned-raw.sh" "$@"
