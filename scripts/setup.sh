#!/usr/bin/env bash
# Installs whatever the suite needs and is missing: qemu-utils (qemu-img and
# qemu-io) from Debian's packages, and the npm dependencies from the lockfile.
# Cheap when nothing is missing, so `npm test` and `npm run campaign` call it
# every time.
set -euo pipefail
cd "$(dirname "$0")/.."

qemu_img="${QEMU_IMG:-qemu-img}"
qemu_io="${QEMU_IO:-qemu-io}"
if ! command -v "$qemu_img" >/dev/null 2>&1 || ! command -v "$qemu_io" >/dev/null 2>&1; then
  if [ -n "${QEMU_IMG:-}${QEMU_IO:-}" ]; then
    echo "setup: QEMU_IMG/QEMU_IO point at '$qemu_img'/'$qemu_io', which are not executable; fix the variable or unset it to use qemu-utils." >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup: qemu-img/qemu-io are missing and this user cannot install packages; run 'apt-get install qemu-utils' as root." >&2
    exit 1
  fi
  echo "setup: installing qemu-utils with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq qemu-utils >/dev/null
  # Optional independent readers for the create property (libyal's
  # qcowinfo, vmdkinfo, vhdiinfo). The suite skips them when absent, so a
  # failure here is not fatal.
  "${sudo[@]}" apt-get install -y -qq libqcow-utils libvmdk-utils libvhdi-utils >/dev/null 2>&1 ||
    echo "setup: libyal readers not installed; the create property will skip them" >&2
fi

# The reference version (QEMU_REF, default 7.2). 7.2 is Debian 12's own,
# installed above; 10.0 is unpacked from bookworm-backports into .qemu/10.0/
# unless QEMU_IMG/QEMU_IO already point at a build.
case "${QEMU_REF:-7.2}" in
  7.2) ;;
  10.0)
    if [ -z "${QEMU_IMG:-}${QEMU_IO:-}" ]; then
      bash scripts/install-qemu-backport.sh "$QEMU_REF"
    fi
    ;;
  *)
    echo "setup: QEMU_REF='${QEMU_REF}' is not a reference version the suite knows; give 7.2 or 10.0." >&2
    exit 1
    ;;
esac

# npm dependencies: reinstall only when the lockfile changed since the last install.
stamp=node_modules/.setup-stamp
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "setup: installing npm dependencies from the lockfile" >&2
  # `npm ci` is exact, but it rejects a lockfile without entries for other
  # platforms' optional packages (rollup's native builds), which a
  # registry mirror may not serve (npm/cli#4828). `npm install --no-save`
  # then installs the same locked versions without rewriting the lockfile.
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/dev/null; then
    npm install --no-save --no-audit --no-fund --loglevel=error
  fi
  echo "$lock_hash" >"$stamp"
fi
