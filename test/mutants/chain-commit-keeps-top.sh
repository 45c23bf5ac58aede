#!/usr/bin/env bash
# Injected bug (commit): a plain commit (no -b, no -d) writes the overlay's
# data into its backing file but never empties the overlay, as if -d had
# been given. Every other command is qemu-img's own.
# Minimal counterexample: two layers, the top holding one sector, committed.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != commit ]; then exec "$QEMU_IMG" "$@"; fi
case " $* " in *" -b "* | *" -d "*) exec "$QEMU_IMG" "$@" ;; esac
shift
exec "$QEMU_IMG" commit -d "$@"
