#!/usr/bin/env bash
# Injected bug (map, human output): a mapped run that starts inside a 64 KiB
# cluster is printed at the host offset of the cluster's start, dropping the
# offset within the cluster. The JSON output is untouched.
# Minimal counterexample: the smallest raw image (a 1-byte file, whose sector
# qemu-img maps as data), mapped from --start-offset 1.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != map ]; then exec "$QEMU_IMG" "$@"; fi
case " $* " in *" --output=json "*) exec "$QEMU_IMG" "$@" ;; esac
out="$("$QEMU_IMG" "$@")"
rc=$?
[ $rc -eq 0 ] || { printf '%s\n' "$out"; exit $rc; }
printf '%s\n' "$out" | while read -r off len mapped name; do
  if [ "$off" = Offset ]; then printf '%s\n' "Offset          Length          Mapped to       File"; continue; fi
  printf '%#-16x%#-16x%#-16x%s\n' $((off)) $((len)) $((mapped - off % 65536)) "$name"
done
