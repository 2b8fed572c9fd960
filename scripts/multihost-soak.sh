#!/usr/bin/env bash
# The long multi-host run: three sot-intaked processes (named host-a, host-b, host-c, each
# with its own config and lease_seconds = 5) share one spool and one PostgreSQL registry (a
# throw-away server, scripts/pg-test-server.sh) while three producers deliver BUNDLES
# bundles and KILLS random SIGKILLs hit the daemons (every sixth one restarted only after its
# leases expired, so the others take its bundles over); one daemon holding a lease is
# SIGSTOPped for 12 s and continued; PostgreSQL is restarted once mid-run. Then it checks:
# every bundle in exactly one outcome directory with its report, nothing left in incoming/
# or active/, each decided once in the registry (one terminal transition), the registry's
# outcome, directory and number agreeing with the files, numbers unique and gap-free, no
# lease or work left. Prints one summary line.
#
#   scripts/multihost-soak.sh [BUNDLES [KILLS]]      (default 1500 bundles, 150 kills)
#
# Needs the dev build (scripts/test.sh makes it) and postgresql-15 (scripts/setup-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
SOT_MULTIHOST_BUNDLES=${1:-1500} SOT_MULTIHOST_KILLS=${2:-150} \
  build/dev/tests/sot-e2e-tests "[multihost]"
