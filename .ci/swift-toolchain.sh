#!/usr/bin/env bash
# Installs a Swift toolchain for the Swift binding tests on Debian 12.
# Debian 12 has no Swift package; Debian 13 (trixie) has `swiftlang`, so this
# bootstraps a minimal trixie chroot holding it. Idempotent: a chroot whose
# swift already runs is left as it is. Run commands in it with swift-run.sh.
#   usage: .ci/swift-toolchain.sh        (as root)
#   env:   MSK_SWIFT_ROOT  chroot directory (default /var/tmp/msk-swift-trixie)
#          MSK_SWIFT_MIRROR Debian mirror (default http://deb.debian.org/debian)
set -euo pipefail

ROOT=${MSK_SWIFT_ROOT:-/var/tmp/msk-swift-trixie}
MIRROR=${MSK_SWIFT_MIRROR:-http://deb.debian.org/debian}
HERE=$(cd "$(dirname "$0")" && pwd)

if ! command -v debootstrap >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Wait for a concurrent apt/dpkg rather than failing on its lock.
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends debootstrap >/dev/null
fi

if "$HERE/swift-run.sh" / swift --version >/dev/null 2>&1; then
  echo "swift chroot at $ROOT is ready"
else
  # A broken or half-made chroot (interrupted run) is started over, unless
  # something is still mounted in it (rm would then reach the host's files).
  for d in "$ROOT" "$ROOT.tmp"; do
    if findmnt -rno TARGET | grep -q "^$d/"; then
      echo "$0: $d has mounts under it; unmount them first" >&2
      exit 1
    fi
    rm -rf --one-file-system "$d"
  done
  # swiftlang depends on gcc and binutils (the linker it drives); libc6-dev
  # gives the C headers and crt files that SwiftPM links against.
  # ca-certificates is not needed: the mirror is plain http.
  debootstrap --variant=minbase \
    --include=swiftlang,libc6-dev \
    trixie "$ROOT.tmp" "$MIRROR"
  # Keep the chroot small: drop the downloaded .debs.
  rm -f "$ROOT.tmp"/var/cache/apt/archives/*.deb
  mv "$ROOT.tmp" "$ROOT"
fi

"$HERE/swift-run.sh" / swift --version
