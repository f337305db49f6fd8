#!/usr/bin/env bash
# Builds MikeySakkeFFI.xcframework, the binary target the `ios/` Swift
# package uses on Apple platforms, and copies the generated Swift bindings
# into Sources/MikeySakkeFFI. Run it on macOS with Xcode before opening or
# building the package (neither output is committed):
#
#   ios/build-xcframework.sh
#
# Needs: Xcode (xcodebuild, lipo), rustup with the targets
#   aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
#   (and aarch64-apple-darwin x86_64-apple-darwin unless MSK_XCF_MACOS=0)
# Env:
#   CARGO_TARGET_DIR       cargo's target directory (default: <repo>/target)
#   IPHONEOS_DEPLOYMENT_TARGET  minimum iOS of the Rust code (default 15.0,
#                          as in Package.swift)
#   MACOSX_DEPLOYMENT_TARGET    minimum macOS (default 12.0)
#   MSK_XCF_MACOS=0        leave out the macOS slice (it lets `swift test`
#                          run the package's tests on the Mac itself)
#
# The xcframework holds, per platform, the Rust static library
# libmikey_sakke_ffi.a and Headers/mikey_sakke_ffiFFI/{mikey_sakke_ffiFFI.h,
# module.modulemap}: the C module `mikey_sakke_ffiFFI` that the generated
# MikeySakkeFFI.swift imports. The headers are in a subdirectory named after
# the module because Xcode copies the headers of every static xcframework
# of an app into one include directory, where two top-level
# module.modulemap files would collide; clang finds module maps one
# directory down.
set -euo pipefail

if [ "$(uname -s)" != Darwin ]; then
  echo "$0: needs macOS with Xcode (xcodebuild, lipo)" >&2
  exit 1
fi

IOS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$IOS/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
export IPHONEOS_DEPLOYMENT_TARGET=${IPHONEOS_DEPLOYMENT_TARGET:-15.0}
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-12.0}
WITH_MACOS=${MSK_XCF_MACOS:-1}

LIB=libmikey_sakke_ffi.a
MODULE=mikey_sakke_ffiFFI
XCF=$IOS/MikeySakkeFFI.xcframework
WORK=$TARGET_DIR/xcframework   # scratch: headers, generated code, lipo output

IOS_TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
MAC_TARGETS=(aarch64-apple-darwin x86_64-apple-darwin)
TARGETS=("${IOS_TARGETS[@]}")
if [ "$WITH_MACOS" != 0 ]; then
  TARGETS+=("${MAC_TARGETS[@]}")
fi

cd "$REPO"

# 1. The Rust static library, once per target (release: the SRTP and
#    pairing code is far too slow in debug).
missing=()
installed=$(rustup target list --installed)
for t in "${TARGETS[@]}"; do
  grep -qx "$t" <<<"$installed" || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "$0: missing Rust targets; run: rustup target add ${missing[*]}" >&2
  exit 1
fi
for t in "${TARGETS[@]}"; do
  echo "== cargo build --target $t" >&2
  cargo build --release --locked -p mikey-sakke-ffi --target "$t"
done

# 2. The Swift bindings and the C header + module map, generated from the
#    host build of the same crate by the workspace's pinned uniffi-bindgen
#    (the interface is the same on every target).
echo "== uniffi-bindgen" >&2
cargo build --release --locked -p mikey-sakke-ffi -p uniffi-bindgen
rm -rf "$WORK"
mkdir -p "$WORK/gen" "$WORK/headers/$MODULE"
"$TARGET_DIR/release/uniffi-bindgen" generate \
  --library "$TARGET_DIR/release/libmikey_sakke_ffi.dylib" \
  --language swift --out-dir "$WORK/gen"
cp "$WORK/gen/$MODULE.h" "$WORK/headers/$MODULE/"
# xcodebuild and clang want the map named module.modulemap.
cp "$WORK/gen/$MODULE.modulemap" "$WORK/headers/$MODULE/module.modulemap"

# 3. One library per platform: the simulator (arm64 + x86_64) and macOS
#    (if built) slices are merged with lipo; the device is arm64 alone.
lib() { echo "$TARGET_DIR/$1/release/$LIB"; }
mkdir -p "$WORK/ios-simulator" "$WORK/macos"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" \
  -output "$WORK/ios-simulator/$LIB"
XCF_ARGS=(
  -library "$(lib aarch64-apple-ios)" -headers "$WORK/headers"
  -library "$WORK/ios-simulator/$LIB" -headers "$WORK/headers"
)
if [ "$WITH_MACOS" != 0 ]; then
  lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" \
    -output "$WORK/macos/$LIB"
  XCF_ARGS+=(-library "$WORK/macos/$LIB" -headers "$WORK/headers")
fi

# 4. The xcframework (replacing an older one; xcodebuild refuses to
#    overwrite) and the generated Swift file in the MikeySakkeFFI target.
echo "== xcodebuild -create-xcframework" >&2
rm -rf "$XCF"
xcodebuild -create-xcframework "${XCF_ARGS[@]}" -output "$XCF"
cp "$WORK/gen/MikeySakkeFFI.swift" "$IOS/Sources/MikeySakkeFFI/"

echo "built $XCF"
echo "copied MikeySakkeFFI.swift into $IOS/Sources/MikeySakkeFFI"
