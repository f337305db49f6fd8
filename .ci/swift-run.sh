#!/usr/bin/env bash
# Runs a command in the Swift chroot made by swift-toolchain.sh.
#   usage: .ci/swift-run.sh HOST_DIR COMMAND [ARG...]     (as root)
# HOST_DIR is bind-mounted at the same absolute path inside the chroot and is
# the command's working directory, so absolute paths (a clone, cargo's target
# dir) resolve alike on both sides. The host's /tmp is mounted at /tmp too
# (test fixtures), and MSK_SWIFT_BINDS may name more host directories
# (space separated). The caller's environment reaches the command, except
# PATH (the chroot's own) and the locale (C.UTF-8, the one the chroot has).
# The chroot shares the host's network, so 127.0.0.1 is the host's loopback.
#
# All mounts are made in a private mount namespace (unshare), so they vanish
# when the command exits, however it exits: nothing is left mounted on the
# host, and concurrent or repeated calls do not interfere.
# The exit status is the command's.
set -euo pipefail

ROOT=${MSK_SWIFT_ROOT:-/var/tmp/msk-swift-trixie}

if [ $# -lt 2 ]; then
  echo "usage: $0 HOST_DIR COMMAND [ARG...]" >&2
  exit 2
fi
DIR=$(realpath -e "$1")
shift
if [ ! -x "$ROOT/usr/bin/env" ]; then
  echo "$0: no chroot at $ROOT (run .ci/swift-toolchain.sh)" >&2
  exit 127
fi

# Step 1: re-run this script in a new mount namespace.
if [ -z "${MSK_SWIFT_IN_NS:-}" ]; then
  MSK_SWIFT_IN_NS=1 exec unshare --mount --propagation private "$0" "$DIR" "$@"
fi
unset MSK_SWIFT_IN_NS

# Step 2 (inside the namespace): mount and enter the chroot.
bind() { # bind HOST_PATH: the host path at the same path in the chroot
  case "$1" in /) return ;; esac
  mkdir -p "$ROOT$1"
  mount --rbind "$1" "$ROOT$1"
}
mount -t proc proc "$ROOT/proc"
bind /dev # /dev/null, /dev/urandom, /dev/pts
bind /sys # cgroup CPU limits read by Foundation
bind /tmp
for d in ${MSK_SWIFT_BINDS:-} "$DIR"; do
  d=$(realpath -e "$d")
  # A directory already visible through /tmp is not mounted again.
  case "$d/" in /tmp/*) ;; *) bind "$d" ;; esac
done

exec chroot "$ROOT" /usr/bin/env -C "$DIR" \
  PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  LANG=C.UTF-8 LC_ALL=C.UTF-8 \
  "$@"
