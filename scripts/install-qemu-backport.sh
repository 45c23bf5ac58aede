#!/usr/bin/env bash
# Unpacks qemu-utils from Debian's bookworm-backports into .qemu/<version>/,
# without installing it: a private sources list and private apt state, so
# the system's package database and its own qemu-img stay untouched.
# Usage: scripts/install-qemu-backport.sh 10.0
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:?usage: install-qemu-backport.sh <version, e.g. 10.0>}"
target=".qemu/$version"
if [ -x "$target/usr/bin/qemu-img" ] && [ -x "$target/usr/bin/qemu-io" ]; then
  exit 0
fi

# The backports suite serves one qemu version at a time; record which line
# each QEMU_REF value comes from so a newer backport is not taken silently.
case "$version" in
  10.0) suite=bookworm-backports ;;
  *)
    echo "setup: no package source is known for qemu-img $version; QEMU_REF takes 7.2 (Debian 12's own) or 10.0 (bookworm-backports)." >&2
    exit 1
    ;;
esac

state="$(mktemp -d "${TMPDIR:-/tmp}/qemu-apt.XXXXXX")"
trap 'rm -rf "$state"' EXIT
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/download"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" >"$state/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$state/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$state/lists"
  -o "Dir::Cache=$state/cache"
  -o "Dir::State::status=/dev/null"
  -o "APT::Sandbox::User=root"
  -qq
)
echo "setup: downloading qemu-utils $version from $suite into $target" >&2
if ! apt-get "${apt_options[@]}" update; then
  echo "setup: could not read $suite's package list; check that deb.debian.org is reachable." >&2
  exit 1
fi
available="$(apt-cache "${apt_options[@]}" show --no-all-versions qemu-utils 2>/dev/null | sed -n 's/^Version: //p' | head -1)"
# Debian versions look like 1:10.0.2+ds-2+deb13u1~bpo12+1.
case "$available" in
  *:"$version".*) ;;
  *)
    echo "setup: $suite offers qemu-utils '${available:-nothing}', not $version.x; QEMU_IMG/QEMU_IO can point at another build." >&2
    exit 1
    ;;
esac
(cd "$state/download" && apt-get "${apt_options[@]}" download qemu-utils)
partial="$target.partial"
rm -rf "$partial"
mkdir -p "$partial"
dpkg -x "$state"/download/qemu-utils_*.deb "$partial"
echo "$available" >"$partial/debian-version"

# The libraries it links come from Debian 12 itself; install any that are missing.
missing="$(ldd "$partial/usr/bin/qemu-img" "$partial/usr/bin/qemu-io" | sed -n 's/^\s*\(\S*\) => not found.*/\1/p' | sort -u)"
if [ -n "$missing" ]; then
  depends="$(dpkg-deb -f "$state"/download/qemu-utils_*.deb Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | grep -v '^$')"
  echo "setup: qemu-img $version needs libraries this machine lacks ($(echo $missing)); installing its dependencies: $(echo $depends)" >&2
  if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo); fi
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq $depends >/dev/null
fi
if ! "$partial/usr/bin/qemu-img" --version >/dev/null; then
  echo "setup: the unpacked qemu-img $version does not run; see the error above." >&2
  exit 1
fi
rm -rf "$target"
mv "$partial" "$target"
echo "setup: $("$target/usr/bin/qemu-img" --version | head -1) is in $target" >&2
