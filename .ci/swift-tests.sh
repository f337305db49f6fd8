#!/usr/bin/env bash
# Builds and runs the Swift side on Linux: the `ios/` package (its XCTest
# suite) and the example in `examples/swift/`, against the generated
# bindings and the shared library built by bindings/generate.sh.
#
#   usage: .ci/swift-tests.sh LIB_PATH GEN_DIR        (as root)
#     LIB_PATH  libmikey_sakke_ffi.so (what bindings/generate.sh prints)
#     GEN_DIR   the OUT_DIR given to bindings/generate.sh (uses GEN_DIR/swift)
#
# The tests read the testbed's variables (MSK_TESTBED_CA, MSK_KMS_A_URL...)
# from the environment: start `msk testbed --env-file F` and
# `set -a; source F; set +a` first. Without them the tests fail, unless
# MSK_BINDINGS_ALLOW_SKIP=1.
#
# Swift runs in the Debian trixie chroot of swift-toolchain.sh (installed
# here if missing), through swift-run.sh, which mounts the repository and
# /tmp at the same paths; a library directory elsewhere is added to
# MSK_SWIFT_BINDS. The last line printed is
#   swift tests: N passed, M failed
# and the exit status is non-zero if anything failed.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 LIB_PATH GEN_DIR" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
LIB=$(realpath -e "$1")
LIBDIR=$(dirname "$LIB")
GEN=$(realpath -e "$2")/swift

for f in MikeySakkeFFI.swift mikey_sakke_ffiFFI.h; do
  [ -f "$GEN/$f" ] || { echo "$0: $GEN/$f missing (run bindings/generate.sh)" >&2; exit 1; }
done

# 1. The toolchain (returns at once when the chroot is there).
"$HERE/swift-toolchain.sh" >/dev/null

# 2. The generated code, into the package's gitignored places. A file is
#    replaced only when it changed, so a warm build recompiles nothing.
IOS=$REPO/ios
install_if_changed() { # SRC DEST
  cmp -s "$1" "$2" || install -m 0644 "$1" "$2"
}
install_if_changed "$GEN/MikeySakkeFFI.swift" "$IOS/Sources/MikeySakkeFFI/MikeySakkeFFI.swift"
install_if_changed "$GEN/mikey_sakke_ffiFFI.h" "$IOS/Sources/mikey_sakke_ffiFFI/mikey_sakke_ffiFFI.h"
# SwiftPM wants the system library's map named module.modulemap. The
# generated map is written for Apple platforms (`use "Darwin"`) and links
# nothing, so the Linux one is written here: the same module, linking the
# shared library.
map=$(mktemp /tmp/msk-swift-map.XXXXXX)
cat >"$map" <<'MAP'
module mikey_sakke_ffiFFI {
    header "mikey_sakke_ffiFFI.h"
    link "mikey_sakke_ffi"
    export *
}
MAP
install_if_changed "$map" "$IOS/Sources/mikey_sakke_ffiFFI/module.modulemap"
rm -f "$map"

# 3. Build and test in the chroot. The library directory must be visible
#    there at the same path.
case "$LIBDIR/" in
  "$REPO"/*|/tmp/*) ;;
  *) export MSK_SWIFT_BINDS="${MSK_SWIFT_BINDS:-} $LIBDIR" ;;
esac
LINK=(-Xlinker -L"$LIBDIR" -Xlinker -rpath -Xlinker "$LIBDIR")
run() { "$HERE/swift-run.sh" "$REPO" "$@"; }

echo "== swift build (examples/swift)"
if ! run swift build --package-path examples/swift "${LINK[@]}"; then
  echo "swift tests: 0 passed, 0 failed (the example did not build)"
  exit 1
fi

# The example talks to the testbed; it runs when the testbed's variables
# are there (the test suite below insists on them).
if [ -n "${MSK_KMS_A_URL:-}" ]; then
  echo "== example run"
  if ! run examples/swift/.build/debug/MikeySakkeExample; then
    echo "swift tests: 0 passed, 0 failed (the example failed)"
    exit 1
  fi
fi

echo "== swift test (ios)"
log=$(mktemp /tmp/msk-swift-test.XXXXXX.log)
trap 'rm -f "$log"' EXIT
status=0
run swift test --package-path ios --disable-swift-testing "${LINK[@]}" 2>&1 | tee "$log" || status=$?

# XCTest's last summary line:
#   Executed N tests, with M failures (K unexpected) in ...
#   Executed N tests, with S tests skipped and M failures (K unexpected) in ...
# M counts failed assertions and errors; the failed and skipped test cases
# are counted from the per-test lines.
summary=$(grep -E 'Executed [0-9]+ tests?, with .*[0-9]+ failures?' "$log" | tail -n 1 | sed -E "s/^[[:space:]]+//" || true)
if [ -z "$summary" ]; then
  echo "swift tests: 0 passed, 0 failed (no XCTest summary; swift test exited $status)"
  exit 1
fi
executed=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failures=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
failed_cases=$(grep -cE "^Test Case '.*' failed" "$log" || true)
skipped=$(grep -cE "^Test Case '.*' skipped" "$log" || true)
passed=$((executed - failed_cases - skipped))
echo "XCTest: $summary"
if [ "$skipped" -gt 0 ]; then
  echo "swift tests: $passed passed, $failed_cases failed, $skipped skipped"
else
  echo "swift tests: $passed passed, $failed_cases failed"
fi
if [ "$status" -ne 0 ] || [ "$failures" -ne 0 ] || [ "$failed_cases" -ne 0 ]; then
  exit 1
fi
