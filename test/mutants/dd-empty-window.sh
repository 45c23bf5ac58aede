#!/usr/bin/env bash
# Outcomes inside (or outside) the dd whitelist's input class, for the
# whitelist narrowness tests. Used as
#   CANDIDATE="test/mutants/dd-empty-window.sh TARGET BEHAVIOUR [always]"
# On `dd -O TARGET` whose window is empty (or on every window, with
# `always`), the candidate:
#   like-instar  exits 0 with an empty output file (instar's documented
#                behaviour for vmdk; unreadable by qemu-img for vhdx too)
#   segfault     dies on SIGSEGV
#   hang         never finishes
#   fail         exits 1
#   wrong-size   exits 0 with a readable 1 MiB TARGET image
# Every other call goes to qemu-img unchanged.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
target="$1" behaviour="$2"
shift 2
scope=empty
if [ "${1:-}" = always ]; then scope=always; shift; fi
if [ "${1:-}" != dd ]; then exec "$QEMU_IMG" "$@"; fi

out='' fmt='' prev=''
for a in "$@"; do
  case "$a" in of=*) out="${a#of=}" ;; esac
  if [ "$prev" = -O ]; then fmt="$a"; fi
  prev="$a"
done
if [ "$fmt" != "$target" ]; then exec "$QEMU_IMG" "$@"; fi

if [ "$scope" = empty ]; then
  # The window is empty when qemu-img's own dd to raw writes 0 bytes.
  probe="$(mktemp)"
  args=() prev=''
  for a in "$@"; do
    p="$a"
    if [ "$prev" = -O ]; then p=raw; fi
    case "$a" in of=*) p="of=$probe" ;; esac
    args+=("$p")
    prev="$a"
  done
  "$QEMU_IMG" "${args[@]}" >/dev/null 2>&1
  rc=$?
  size="$(stat -c %s "$probe")"
  rm -f "$probe"
  if [ "$rc" != 0 ] || [ "$size" != 0 ]; then exec "$QEMU_IMG" "$@"; fi
fi

case "$behaviour" in
  like-instar) : >"$out"; exit 0 ;;
  segfault) ulimit -c 0; kill -SEGV $$ ;;
  hang) exec sleep 3600 ;;
  fail) echo "candidate: cannot write an empty $target image" >&2; exit 1 ;;
  wrong-size) exec "$QEMU_IMG" create -q -f "$target" "$out" 1M ;;
esac
echo "dd-empty-window.sh: unknown behaviour '$behaviour'" >&2
exit 2
