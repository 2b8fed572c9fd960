#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what is missing (Debian packages), builds
# the dev preset (-Werror) and runs every unit, end-to-end and style test, then builds the
# libFuzzer targets with clang and fuzzes each one briefly. Ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
cmake --preset dev >/dev/null && cmake --build --preset dev || exit 1
ctest --preset dev 2>&1 | tee -a "$log" || status=1

cmake --preset fuzz >/dev/null && cmake --build --preset fuzz || exit 1
ctest --test-dir build/fuzz -j2 --output-on-failure 2>&1 | grep -v '^INFO:\|^#\|NEW_FUNC' |
  tee -a "$log" || status=1

# ctest prints "N% tests passed, F tests failed out of T" per run; add the runs up.
read -r passed failed < <(awk '/tests failed out of/ {
    for (i = 1; i <= NF; i++) { if ($i == "failed" && $(i-1) == "tests") f += $(i-2); if ($i == "of") t += $(i+1) }
  } END { print t - f, f + 0 }' "$log")
echo
echo "tests: ${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
