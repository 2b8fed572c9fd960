#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what is missing (Debian packages), builds
# the dev preset (-Werror) and runs every unit, end-to-end and style test, then builds the
# libFuzzer targets with clang and fuzzes each one briefly, then builds the Debian package and
# installs, runs and purges it (scripts/deb-test.sh, as root). Ends with one summary line.
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

# The Debian package built, installed, run and purged as court IT would (it installs a
# package: root only; a non-root run says so and counts it as not run).
deb_passed=0
deb_failed=0
if [ "$(id -u)" = 0 ]; then
  if scripts/deb-test.sh; then deb_passed=1; else deb_failed=1; status=1; fi
else
  echo "deb-test: not run (needs root); run scripts/deb-test.sh as root"
fi

# ctest prints "N% tests passed, F tests failed out of T" per run; add the runs up.
read -r passed failed < <(awk '/tests failed out of/ {
    for (i = 1; i <= NF; i++) { if ($i == "failed" && $(i-1) == "tests") f += $(i-2); if ($i == "of") t += $(i+1) }
  } END { print t - f, f + 0 }' "$log")
passed=$((passed + deb_passed))
failed=$((failed + deb_failed))
echo
echo "tests: ${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
