#!/usr/bin/env bash
# Injected bug (snapshot -l), after instar's real one: the table's columns
# are padded by characters instead of bytes, so a row whose name holds
# multibyte UTF-8 gets one extra space per extra byte. Every other call is
# qemu-img's own. Minimal counterexample: a snapshot with a multibyte name,
# then `snapshot -l`, on the smallest empty qcow2.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != snapshot ] || [ "${2:-}" != -l ]; then exec "$QEMU_IMG" "$@"; fi
out="$("$QEMU_IMG" "$@")"; rc=$?
[ -n "$out" ] || exit "$rc"
bytes() { local LC_ALL=C; printf '%s' "${#1}"; }
chars() { local LC_ALL=C.UTF-8; printf '%s' "${#1}"; }
while IFS= read -r line; do
  extra=$(( $(bytes "$line") - $(chars "$line") ))
  if [ "$extra" -gt 0 ]; then
    # The ID column is ASCII: the padding after it grows by the extra bytes.
    printf '%s%*s%s\n' "${line:0:10}" "$extra" '' "${line:10}"
  else
    printf '%s\n' "$line"
  fi
done <<<"$out"
exit "$rc"
