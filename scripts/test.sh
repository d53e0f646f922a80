#!/usr/bin/env bash
# The test command (README, CI): installs dependencies, builds everything and
# runs every test tier. Privileged tiers (bpf, netns, e2e) need root; as a
# normal user they are reported as skipped.
#   scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PODLANE_BUILD_DIR:-$root/build}
"$root/.ci/install-deps"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j "$(nproc)"
# Serial: the e2e lab uses fixed namespace names, one lab at a time.
ctest --test-dir "$build" --output-on-failure "$@"
# A short libFuzzer run over every parser of untrusted input (full runs:
# scripts/fuzz.sh 600). Skipped when a subset of the tests was asked for.
if [ $# -eq 0 ]; then
    "$root/scripts/fuzz.sh" "${PODLANE_FUZZ_SECONDS:-15}"
fi
