#!/usr/bin/env bash
# The long kill -9 run: the daemon end-to-end test with many rounds of "deliver 8 bundles,
# wait a random 20-170 ms, kill -9, restart" (default 60 rounds = 480 bundles), then a drain
# and the checks: every bundle in exactly one outcome directory with its report, nothing left
# in incoming/ or active/, registration numbers gap-free and unique, PRAGMA integrity_check
# ok. Prints one summary line. Needs the dev build (scripts/test.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-60}
SOT_KILL_ROUNDS=$rounds build/dev/tests/sot-e2e-tests "kill -9 at random moments loses and duplicates nothing"
