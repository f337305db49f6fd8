#!/usr/bin/env bash
# Kotlin/JVM toolchain for the Kotlin bindings: kotlinc (from the npm package
# kotlin-compiler, which ships the JVM compiler, kotlin-stdlib, kotlin-test and
# kotlinx-coroutines-core), JNA and the JUnit 5 console launcher (Debian).
# Idempotent: installs only what is missing.
#
# Usage: .ci/kotlin-toolchain.sh [ENV_FILE]
# Prints the variables below and, with ENV_FILE, writes them there as
# `export` lines for the caller to `source`.
set -euo pipefail

KOTLIN_COMPILER_VERSION=2.4.20
MSK_KOTLIN_HOME="${MSK_KOTLIN_HOME:-/var/tmp/msk-kotlin}"
env_file="${1:-}"

# --- Debian packages: a JDK (javac + headers for JNI), JNA, JUnit 5.
need=()
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
[ -f /usr/share/java/jna.jar ] || need+=(libjna-java)
dpkg -s junit5 >/dev/null 2>&1 || need+=(junit5)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "${#need[@]}" -gt 0 ]; then
  echo "kotlin-toolchain: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- kotlinc from the npm registry, pinned.
kc_dir="$MSK_KOTLIN_HOME/node_modules/kotlin-compiler"
if [ "$(cat "$kc_dir/build.txt" 2>/dev/null || true)" != "$KOTLIN_COMPILER_VERSION" ]; then
  echo "kotlin-toolchain: npm install kotlin-compiler@$KOTLIN_COMPILER_VERSION into $MSK_KOTLIN_HOME" >&2
  mkdir -p "$MSK_KOTLIN_HOME"
  npm install --prefix "$MSK_KOTLIN_HOME" --no-audit --no-fund --loglevel=error \
    --save-exact "kotlin-compiler@$KOTLIN_COMPILER_VERSION" >&2
fi
# npm may drop the executable bits of the package's shell scripts.
chmod +x "$kc_dir/bin/kotlinc" "$kc_dir/bin/kotlinc-jvm" "$kc_dir/bin/kotlin" 2>/dev/null || true

first_jar() {
  local f
  for f in "$@"; do
    if [ -f "$f" ]; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  echo "kotlin-toolchain: none of these exists: $*" >&2
  return 1
}
join_colon() {
  local IFS=:
  printf '%s\n' "$*"
}

lib="$kc_dir/lib"
KOTLINC="$kc_dir/bin/kotlinc"
KOTLIN_STDLIB_JAR="$(first_jar "$lib/kotlin-stdlib.jar")"
KOTLINX_COROUTINES_JAR="$(first_jar "$lib/kotlinx-coroutines-core-jvm.jar" "$lib"/kotlinx-coroutines-core-jvm-*.jar "$lib"/kotlinx-coroutines-core*.jar)"
test_jars=("$(first_jar "$lib/kotlin-test.jar")")
[ -f "$lib/kotlin-test-junit5.jar" ] && test_jars+=("$lib/kotlin-test-junit5.jar")
KOTLIN_TEST_JARS="$(join_colon "${test_jars[@]}")"
JNA_JAR="$(first_jar /usr/share/java/jna.jar)"
JUNIT_CONSOLE_JAR="$(first_jar $(dpkg -L junit5 | grep -E '/junit-platform-console-standalone\.jar$') /usr/share/java/junit-platform-console-standalone.jar)"
api_jars=()
for j in junit-jupiter-api opentest4j apiguardian-api junit-platform-commons; do
  api_jars+=("$(first_jar "/usr/share/java/$j.jar")")
done
JUNIT_API_JARS="$(join_colon "${api_jars[@]}")"

"$KOTLINC" -version >&2 2>&1 || { echo "kotlin-toolchain: kotlinc does not run" >&2; exit 1; }

vars=(KOTLINC KOTLIN_STDLIB_JAR KOTLINX_COROUTINES_JAR KOTLIN_TEST_JARS JNA_JAR JUNIT_CONSOLE_JAR JUNIT_API_JARS)
out=""
for v in "${vars[@]}"; do
  out+="export $v=$(printf '%q' "${!v}")"$'\n'
done
printf '%s' "$out"
if [ -n "$env_file" ]; then
  printf '%s' "$out" >"$env_file"
fi
