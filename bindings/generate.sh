#!/usr/bin/env bash
# Builds the bindings library and generates the Kotlin, Swift and Python
# bindings from it (uniffi-bindgen --library, the version pinned in the
# workspace). Generated code is never committed.
#
#   bindings/generate.sh OUT_DIR
#
# Writes OUT_DIR/{kotlin,swift,python} and prints the path of the shared
# library (release build, under CARGO_TARGET_DIR or ./target).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bindings/generate.sh OUT_DIR}
target=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --locked -p mikey-sakke-ffi -p uniffi-bindgen >&2
lib="$target/release/libmikey_sakke_ffi.so"
rm -rf "$out"
for lang in kotlin swift python; do
  "$target/release/uniffi-bindgen" generate --library "$lib" --language "$lang" \
    --out-dir "$out/$lang" --no-format >&2
done
echo "$lib"
