#!/usr/bin/env bash
# Injected bug (amend): `-o lazy_refcounts=off` is accepted and ignored: exit
# 0, the image keeps lazy refcounts on. Every other amend is qemu-img's own.
# Minimal counterexample: lazy refcounts turned off on the smallest qcow2.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
if [ "${1:-}" != amend ]; then exec "$QEMU_IMG" "$@"; fi
case " $* " in *lazy_refcounts=off*) exit 0 ;; esac
exec "$QEMU_IMG" "$@"
