#!/usr/bin/env bash
# Runs the Python bindings' tests (bindings/python/tests) with pytest.
#
# Usage: .ci/python-tests.sh LIB_PATH GEN_DIR
#   LIB_PATH  libmikey_sakke_ffi.so (bindings/generate.sh prints it)
#   GEN_DIR   the directory bindings/generate.sh wrote (its python/
#             subdirectory holds mikey_sakke_ffi.py), or that python/ itself
#
# uniffi's generated Python loads lib<name>.so from its own directory, so the
# module and the library are copied side by side into a temp directory put on
# PYTHONPATH. The tests read the KMS testbed's variables from the environment
# (`set -a; source F; set +a` after `msk testbed --env-file F`).
#
# Prints `python tests: N passed, M failed` last; exits non-zero when a test
# failed or errored, or when no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."

lib=${1:?usage: .ci/python-tests.sh LIB_PATH GEN_DIR}
gen=${2:?usage: .ci/python-tests.sh LIB_PATH GEN_DIR}
[ -f "$lib" ] || { echo "python-tests: no library at $lib" >&2; exit 2; }
if [ -f "$gen/python/mikey_sakke_ffi.py" ]; then
  module="$gen/python/mikey_sakke_ffi.py"
elif [ -f "$gen/mikey_sakke_ffi.py" ]; then
  module="$gen/mikey_sakke_ffi.py"
else
  echo "python-tests: no mikey_sakke_ffi.py in $gen or $gen/python" >&2
  exit 2
fi

py=$(.ci/python-toolchain.sh)

work=$(mktemp -d "${TMPDIR:-/tmp}/msk-python-tests.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/module"
cp "$module" "$work/module/mikey_sakke_ffi.py"
cp "$lib" "$work/module/libmikey_sakke_ffi.so"

start=$(date +%s)
set +e
PYTHONPATH="$work/module${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
  "$py" -m pytest -q -rfEsxX -p no:cacheprovider \
  --junitxml="$work/junit.xml" bindings/python/tests
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))

# Counts from the JUnit report: passed = tests - failures - errors - skipped
# (pytest reports xfailed tests as skipped there).
read -r tests failures errors skipped < <("$py" - "$work/junit.xml" <<'PY' || echo "0 0 0 0"
import os
import sys
import xml.etree.ElementTree as ET
if not os.path.exists(sys.argv[1]):  # pytest stopped before running tests
    print(0, 0, 0, 0)
    sys.exit()
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
total = [0, 0, 0, 0]
for s in suites:
    for i, k in enumerate(("tests", "failures", "errors", "skipped")):
        total[i] += int(s.get(k, 0))
print(*total)
PY
)
passed=$(( tests - failures - errors - skipped ))
failed=$(( failures + errors ))

# pytest exit 5 (no test collected) is a failure too.
status=ok
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  status=FAILED
fi
echo "python-tests: pytest exit $rc, ${elapsed}s, $skipped skipped or xfailed ($status)" >&2
echo "python tests: $passed passed, $failed failed"
[ "$status" = ok ]
