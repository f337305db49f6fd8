#!/usr/bin/env bash
# Compiles and runs the Kotlin/JVM tests of the bindings, the Kotlin example
# and the JNA-vs-JNI benchmark.
#
#   .ci/kotlin-tests.sh LIB_PATH GEN_DIR
#
# LIB_PATH: libmikey_sakke_ffi.so (bindings/generate.sh prints it); it holds
# both the uniffi symbols (loaded by JNA from -Djna.library.path) and the
# JNI fast path (loaded by org.mikeysakke.SrtpFastPath with
# System.loadLibrary("mikey_sakke_ffi") from -Djava.library.path).
# GEN_DIR: the bindings/generate.sh output dir (GEN_DIR/kotlin is compiled).
# The testbed env vars (MSK_KMS_A_URL, ...) come from the caller's
# environment. MSK_KOTLIN_BUILD sets the build dir (default: a temp dir);
# MSK_BENCH_SCALE scales the benchmark's iterations (default 1).
#
# Prints `kotlin tests: N passed, M failed`, then the benchmark table; exits
# non-zero if a test failed, nothing ran, or the benchmark crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

lib=$(realpath -e "${1:?usage: $0 LIB_PATH GEN_DIR}")
gen=$(realpath -e "${2:?usage: $0 LIB_PATH GEN_DIR}")
libdir=$(dirname "$lib")
[ "$(basename "$lib")" = libmikey_sakke_ffi.so ] || {
  echo "$0: LIB_PATH must be .../libmikey_sakke_ffi.so (System.loadLibrary name)" >&2
  exit 2
}
[ -d "$gen/kotlin" ] || { echo "$0: no $gen/kotlin (run bindings/generate.sh)" >&2; exit 2; }

build=${MSK_KOTLIN_BUILD:-$(mktemp -d /tmp/msk-kotlin-build.XXXXXX)}
mkdir -p "$build"
t0=$SECONDS

echo "== kotlin toolchain"
.ci/kotlin-toolchain.sh "$build/toolchain.env" >/dev/null
# shellcheck disable=SC1091
source "$build/toolchain.env"

echo "== kotlinc: generated bindings + android wrapper + tests + example"
jar="$build/mikey-sakke-kotlin-tests.jar"
deps="$KOTLINX_COROUTINES_JAR:$JNA_JAR:$KOTLIN_TEST_JARS:$JUNIT_API_JARS"
mapfile -t sources < <(find "$gen/kotlin" android/src/main/kotlin android/src/test/kotlin examples/kotlin -name '*.kt' | sort)
"$KOTLINC" -J-XX:TieredStopAtLevel=1 -jvm-target 17 -nowarn \
  -classpath "$deps" -d "$jar" "${sources[@]}"
echo "compiled ${#sources[@]} files in $((SECONDS - t0)) s"

run_java=(java -Djna.library.path="$libdir" -Djava.library.path="$libdir"
  -cp "$jar:$deps:$KOTLIN_STDLIB_JAR")

echo "== junit"
t1=$SECONDS
set +e
java -Djna.library.path="$libdir" -Djava.library.path="$libdir" \
  -jar "$JUNIT_CONSOLE_JAR" \
  --class-path "$jar:$deps:$KOTLIN_STDLIB_JAR" \
  --scan-class-path "$jar" \
  --fail-if-no-tests --disable-banner --disable-ansi-colors --details=tree \
  2>&1 | tee "$build/junit.log"
status=${PIPESTATUS[0]}
set -e
count() { sed -nE "s/^\[ *([0-9]+) tests $1 .*\]$/\1/p" "$build/junit.log" | tail -1; }
passed=$(count successful)
failed=$(count failed)
aborted=$(count aborted)
echo "junit took $((SECONDS - t1)) s (${aborted:-0} aborted/skipped)"
echo "kotlin tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ -z "$passed" ] || [ "${failed:-1}" -ne 0 ]; then
  echo "$0: the Kotlin tests failed (launcher status $status)" >&2
  exit 1
fi

echo "== example (examples/kotlin/Call.kt)"
"${run_java[@]}" org.mikeysakke.examples.CallKt

echo "== benchmark: uniffi/JNA vs JNI fast path"
"${run_java[@]}" org.mikeysakke.Bench "${MSK_BENCH_SCALE:-1}"
echo "kotlin-tests.sh took $((SECONDS - t0)) s"
