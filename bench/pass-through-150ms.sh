#!/usr/bin/env bash
# A faithful candidate with a real candidate's latency: sleeps about 150 ms
# (as instar's tiny VM start costs on every call), then runs qemu-img with
# the same arguments. No bug: every divergence it shows is the suite's own.
# The benchmark measures cases per second against it (npm run bench).
sleep "${PASS_THROUGH_DELAY:-0.15}"
exec "${QEMU_IMG:-qemu-img}" "$@"
