#!/usr/bin/env bash
# Injected bug (amend): a downgrade to compat=0.10 of an image whose refcount
# width is not 16 bits is not refused; it exits 0 and leaves the image as it
# was (v3), where qemu-img refuses it with exit 1.
# Minimal counterexample: a downgrade of the smallest qcow2 with 1-bit refcounts.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != amend ]; then exec "$QEMU_IMG" "$@"; fi
file="${!#}"
case " $* " in
  *compat=0.10*)
    bits="$("$QEMU_IMG" info -f qcow2 --output=json "$file" | sed -n 's/^ *"refcount-bits": \([0-9]*\).*/\1/p' | head -n 1)"
    if [ -n "$bits" ] && [ "$bits" != 16 ]; then exit 0; fi
    ;;
esac
exec "$QEMU_IMG" "$@"
