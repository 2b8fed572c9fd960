#!/bin/sh
# Writes the review UI's screenshots (queue, bundle page, stats) to docs/ by running the
# workspace browser test against the dev build: cmake --preset dev && cmake --build --preset dev
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build/dev}
cd "$root/tests/browser"
SOT_SCREENSHOTS="$root/docs" SOT_INTAKED="$build/daemon/sot-intaked" SOT_INTAKE="$build/daemon/sot-intake" \
  SOT_SAMPLES="$build/samples/sot-samples" node workspace.test.mjs
