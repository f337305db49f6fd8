#!/usr/bin/env bash
# Python toolchain for the Python bindings' tests: a venv with a pinned pytest.
# Idempotent: reuses the venv when it already has that pytest.
#
# Usage: .ci/python-toolchain.sh
# Prints the path of the venv's python (the only line on stdout).
set -euo pipefail

PYTEST_VERSION=9.2.0
MSK_PY_VENV="${MSK_PY_VENV:-/var/tmp/msk-pyvenv}"
py="$MSK_PY_VENV/bin/python"

have_pytest() {
  [ -x "$py" ] && [ "$("$py" -c 'import pytest; print(pytest.__version__)' 2>/dev/null)" = "$PYTEST_VERSION" ]
}

if ! have_pytest; then
  rm -rf "$MSK_PY_VENV"
  base="$(command -v python3 || true)"
  if [ -z "$base" ] || ! "$base" -m venv "$MSK_PY_VENV" >&2; then
    # Debian's python3 needs python3-venv (ensurepip) for `-m venv`.
    echo "python-toolchain: apt-get install python3-venv" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
    rm -rf "$MSK_PY_VENV"
    /usr/bin/python3 -m venv "$MSK_PY_VENV" >&2
  fi
  "$py" -m pip install --quiet --disable-pip-version-check "pytest==$PYTEST_VERSION" >&2
  have_pytest || { echo "python-toolchain: pytest $PYTEST_VERSION not importable from $py" >&2; exit 1; }
fi

echo "python-toolchain: $("$py" --version 2>&1), pytest $PYTEST_VERSION" >&2
printf '%s\n' "$py"
