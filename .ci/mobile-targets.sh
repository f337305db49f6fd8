#!/usr/bin/env bash
# Checks that the bindings crate builds for the mobile targets:
#   cargo check --target aarch64-linux-android       (the Android library)
#   cargo build --target aarch64-apple-ios --lib     (the iOS staticlib)
# There is no Android NDK or Apple SDK here. The only C in the build is
# ring's, which needs no C library headers; Debian's clang compiles it
# freestanding for both targets (and a stand-in TargetConditionals.h for
# iOS). Linking happens on the real toolchains (android/, ios/).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v clang >/dev/null && command -v llvm-ar >/dev/null \
  || { echo "needs clang and llvm-ar (Debian: clang llvm)" >&2; exit 1; }
rustup target add aarch64-linux-android aarch64-apple-ios >/dev/null 2>&1

freestanding="-nostdlibinc -ffreestanding -DRING_CORE_NOSTDLIBINC=1"
export CC_aarch64_linux_android=clang AR_aarch64_linux_android=llvm-ar
export CFLAGS_aarch64_linux_android="$freestanding"
cargo check --locked -p mikey-sakke-ffi --target aarch64-linux-android

sdk=$(mktemp -d)
trap 'rm -rf "$sdk"' EXIT
export SDKROOT="$sdk" CC_aarch64_apple_ios=clang AR_aarch64_apple_ios=llvm-ar
export CFLAGS_aarch64_apple_ios="$freestanding -I$PWD/.ci/cross"
# Only the staticlib: the cdylib would need Apple's linker.
cargo rustc --locked -p mikey-sakke-ffi --target aarch64-apple-ios --lib --crate-type staticlib
ls -l "${CARGO_TARGET_DIR:-target}/aarch64-apple-ios/debug/libmikey_sakke_ffi.a"
