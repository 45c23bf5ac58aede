#!/usr/bin/env bash
# Injected bug (resize, raw): growing a raw file extends it without zeroing
# the new tail, so up to 512 bytes of stale data (0xa5 here) show past the
# old end, as a tool that grows by writing a reused sector buffer would.
# Minimal counterexample: the smallest raw image (512 bytes, no data) grown
# by 1 byte.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != resize ]; then exec "$QEMU_IMG" "$@"; fi
args=("$@")
file="${args[$#-2]}"
raw=0
for ((i = 1; i < $# - 1; i++)); do
  if [ "${args[$i]}" = -f ] && [ "${args[$i+1]}" = raw ]; then raw=1; fi
done
old=$(stat -c %s "$file" 2>/dev/null || echo 0)
"$QEMU_IMG" "$@"
rc=$?
[ $rc -eq 0 ] && [ $raw -eq 1 ] || exit $rc
new=$(stat -c %s "$file")
if [ "$new" -gt "$old" ]; then
  n=$((new - old)); [ $n -gt 512 ] && n=512
  head -c "$n" /dev/zero | tr '\0' '\245' | dd of="$file" bs=1 seek="$old" conv=notrunc status=none
fi
exit 0
