#!/usr/bin/env bash
# A faithful candidate with a real candidate's latency: sleeps about 150 ms
# (as instar's tiny VM start costs on every call), then runs qemu-img with
# the same arguments. No bug: every divergence it shows is the suite's own.
# The benchmark (npm run bench) counts its calls in PASS_THROUGH_TALLY, one
# line each (the first argument), and measures cases per second against it.
if [ -n "${PASS_THROUGH_TALLY:-}" ]; then printf '%s\n' "${1:-}" >> "$PASS_THROUGH_TALLY"; fi
sleep "${PASS_THROUGH_DELAY:-0.15}"
exec "${QEMU_IMG:-qemu-img}" "$@"
