#!/usr/bin/env bash
# Injected bug (output that does not check clean): the qcow2 writer counts
# one cluster past the end of its metadata as in use, so `qemu-img check`
# reports a leaked cluster (exit 3) on a brand-new image.
# Minimal counterexample: qcow2, size 0, no options (16-bit refcounts, the
# default, are the width this writer handles).
source "$(dirname "$0")/create-lib.sh"
real_create || exit $?
[ "$fmt" = qcow2 ] || exit 0
# Big-endian unsigned integer of $2 bytes at offset $1.
be() { od -An -tu1 -j "$1" -N "$2" "$file" | awk '{ for (i = 1; i <= NF; i++) v = v * 256 + $i } END { printf "%d", v }'; }
version=$(be 4 4)
order=4
[ "$version" -ge 3 ] && order=$(be 96 4)
[ "$order" = 4 ] || exit 0
cluster=$((1 << $(be 20 4)))
table=$(be 48 8)
block=$(be "$table" 8)
leaked=$(( ($(stat -c %s "$file") + cluster - 1) / cluster ))
# Only while the first refcount block covers the leaked cluster.
[ "$block" -gt 0 ] && [ "$leaked" -lt $((cluster / 2)) ] || exit 0
truncate -s $(( (leaked + 1) * cluster )) "$file"
printf '\000\001' | dd of="$file" bs=1 seek=$((block + 2 * leaked)) conv=notrunc status=none
