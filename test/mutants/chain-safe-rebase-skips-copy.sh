#!/usr/bin/env bash
# Injected bug (rebase): a safe rebase (no -u) only repoints the backing
# file, as -u does: the clusters whose content the new backing does not
# share are not copied into the overlay first, so what the guest sees
# changes. Every other command is qemu-img's own.
# Minimal counterexample: a single empty layer rebased onto other.qcow2 holding data.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != rebase ]; then exec "$QEMU_IMG" "$@"; fi
case " $* " in *" -u "*) exec "$QEMU_IMG" "$@" ;; esac
exec "$QEMU_IMG" "$@" -u
