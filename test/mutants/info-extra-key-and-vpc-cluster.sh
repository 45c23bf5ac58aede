#!/usr/bin/env bash
# Two independent injected bugs in one property, for the known-signature tests:
#   pervasive: every `info --output=json` gains a top-level key qemu-img never
#              prints (as a newer build or a work-alike might);
#   rare:      on vpc images, the JSON cluster-size is 4096 instead of 2 MiB.
# One must not hide the other: both signatures are reported.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != info ]; then exec "$QEMU_IMG" "$@"; fi
json=no
for a in "$@"; do
  case "$a" in --output=json) json=yes ;; esac
done
out=$("$QEMU_IMG" "$@")
rc=$?
if [ "$json" = no ] || [ $rc -ne 0 ]; then printf '%s\n' "$out"; exit $rc; fi
case "$out" in
  *'"format": "vpc"'*) out=$(printf '%s\n' "$out" | sed -e 's/^    "cluster-size": [0-9]*/    "cluster-size": 4096/') ;;
esac
printf '%s\n' "$out" | sed -e '1s/^{$/{\n    "x-build-id": "work-alike",/'
exit $rc
