#!/usr/bin/env bash
# Injected bug (check --repair): the leaks tier repairs nothing on an image
# with leaks only. `check -r leaks` then only checks, reporting what it found
# (exit 3) and leaving the image as it was; images with corruptions and the
# `all` tier are repaired as qemu-img repairs them.
# Minimal counterexample: one leaked cluster in the smallest qcow2, repaired
# with the leaks tier.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != check ]; then exec "$QEMU_IMG" "$@"; fi
args=()
leaks=0
while [ $# -gt 0 ]; do
  if [ "$1" = -r ] && [ "${2:-}" = leaks ]; then leaks=1; shift 2; continue; fi
  args+=("$1")
  shift
done
[ "$leaks" = 1 ] || exec "$QEMU_IMG" "${args[@]}" -r all
"$QEMU_IMG" "${args[@]}" >/dev/null 2>&1
[ $? = 3 ] || exec "$QEMU_IMG" "${args[@]}" -r leaks
exec "$QEMU_IMG" "${args[@]}"
