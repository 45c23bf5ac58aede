#!/usr/bin/env bash
# Injected bug (map): the map walks whole 64 KiB clusters only, so the bytes
# past the last whole cluster of the image are never reported (a virtual
# size that is not a cluster multiple loses its tail, in JSON and human form).
# Minimal counterexample: the smallest raw image (512 bytes), whole window.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != map ]; then exec "$QEMU_IMG" "$@"; fi
file="${*: -1}"
fmt=''
prev=''
for arg in "$@"; do [ "$prev" = -f ] && fmt="$arg"; prev="$arg"; done
size="$("$QEMU_IMG" info ${fmt:+-f "$fmt"} --output=json "$file" | sed -n 's/^    "virtual-size": \([0-9]*\).*/\1/p')"
limit=$((size / 65536 * 65536))
out="$("$QEMU_IMG" "$@")"
rc=$?
[ $rc -eq 0 ] || { printf '%s\n' "$out"; exit $rc; }
case " $* " in
  *" --output=json "*)
    # Each extent is clipped to the limit; extents wholly past it vanish.
    printf '%s\n' "$out" | sed -E 's/^\[//; s/\]$//; s/,$//' | awk -v limit="$limit" '
      { if (match($0, /"start": [0-9]+/)) s = substr($0, RSTART + 9, RLENGTH - 9) + 0
        if (match($0, /"length": [0-9]+/)) l = substr($0, RSTART + 10, RLENGTH - 10) + 0
        if (s >= limit) next
        if (s + l > limit) sub(/"length": [0-9]+/, "\"length\": " (limit - s))
        lines[++n] = $0 }
      END { printf "["; for (i = 1; i <= n; i++) printf "%s%s", lines[i], (i < n ? ",\n" : ""); print "]" }'
    ;;
  *)
    printf '%s\n' "$out" | while read -r off len mapped name; do
      if [ "$off" = Offset ]; then printf '%s\n' "Offset          Length          Mapped to       File"; continue; fi
      [ $((off)) -lt "$limit" ] || continue
      [ $((off + len)) -le "$limit" ] || len=$((limit - off))
      printf '%#-16x%#-16x%#-16x%s\n' $((off)) $((len)) $((mapped)) "$name"
    done
    ;;
esac
