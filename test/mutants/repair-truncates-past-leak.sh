#!/usr/bin/env bash
# Injected bug (check --repair): after freeing leaked clusters, the repair
# truncates the file to drop the freed tail but miscounts by one cluster, so
# the last cluster in use is cut off too. Exit status and report are
# qemu-img's own; only the image is left worse than it was found.
# Minimal counterexample: one leaked cluster (the leak sits at the end of the
# file) in the smallest qcow2, repaired with the leaks tier.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != check ]; then exec "$QEMU_IMG" "$@"; fi
case " $* " in *" -r "*) ;; *) exec "$QEMU_IMG" "$@" ;; esac
file="${!#}"
out="$("$QEMU_IMG" "$@")"
rc=$?
printf '%s\n' "$out"
case "$out" in
  *'"leaks-fixed"'*)
    cluster="$("$QEMU_IMG" info -f qcow2 --output=json "$file" | sed -n 's/^ *"cluster-size": \([0-9]*\).*/\1/p' | head -n 1)"
    size="$(stat -c %s "$file")"
    truncate -s "$((size - 2 * cluster))" "$file"
    ;;
esac
exit "$rc"
