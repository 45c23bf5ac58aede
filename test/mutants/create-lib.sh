# Sourced by the create-*.sh mutants (not a mutant itself): parses the
# qemu-img dialect's `create -q -f FMT [-o K=V,...] FILE SIZE` into $fmt,
# $opts (comma-separated), $file and $size, and runs the real create.
QEMU_IMG="${QEMU_IMG:-qemu-img}"
QEMU_IO="${QEMU_IO:-qemu-io}"
if [ "${1:-}" != create ]; then exec "$QEMU_IMG" "$@"; fi
shift
fmt=raw opts='' file='' size=''
while [ $# -gt 0 ]; do
  case "$1" in
    -q) ;;
    -f) fmt="$2"; shift ;;
    -o) opts="$2"; shift ;;
    *) if [ -z "$file" ]; then file="$1"; else size="$1"; fi ;;
  esac
  shift
done
# The value of option $1, or nothing.
option() { printf ',%s,' "$opts" | sed -n "s/.*,$1=\([^,]*\),.*/\1/p"; }
# $opts without option $1.
without() { printf '%s' "$opts" | tr ',' '\n' | grep -v "^$1=" | paste -sd, -; }
real_create() {
  if [ -n "$opts" ]; then "$QEMU_IMG" create -q -f "$fmt" -o "$opts" "$file" "$size"
  else "$QEMU_IMG" create -q -f "$fmt" "$file" "$size"; fi
}
