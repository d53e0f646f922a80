#!/usr/bin/env bash
# The test command (README, CI): installs dependencies, builds everything and
# runs every test tier. Privileged tiers (bpf, netns, e2e) need root; as a
# normal user they are reported as skipped.
#   scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
# PODLANE_BUILD_TYPE (default RelWithDebInfo): CI sets Release, the type
# packagers build (GCC 12 warns at -O3 where -O2 does not), so one build
# proves both that it is warning-free and that its tests pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PODLANE_BUILD_DIR:-$root/build}
"$root/.ci/install-deps"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${PODLANE_BUILD_TYPE:-RelWithDebInfo}" > /dev/null
cmake --build "$build" -j "$(nproc)"
# Serial: the e2e lab uses fixed namespace names, one lab at a time.
# Label vm (the lab on three VMs, 15-25 minutes under TCG) only when asked
# for: scripts/test.sh -L vm.
if [ $# -eq 0 ]; then
    ctest --test-dir "$build" --output-on-failure -LE '^vm$'
else
    ctest --test-dir "$build" --output-on-failure "$@"
fi
# Skipped when a subset of the tests was asked for:
if [ $# -eq 0 ]; then
    # The unit and bpf tiers again, built with ASan + UBSan (no recovery):
    # memory errors, leaks and undefined behaviour fail the run.
    asan=${PODLANE_ASAN_BUILD_DIR:-$root/build-asan}
    cmake -S "$root" -B "$asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPODLANE_SANITIZE=ON > /dev/null
    cmake --build "$asan" -j "$(nproc)" --target sanitized-tiers
    ctest --test-dir "$asan" --output-on-failure -L 'unit|bpf' -LE 'no_sanitizer'
    # A short libFuzzer run over every parser of untrusted input (full runs:
    # scripts/fuzz.sh 600).
    "$root/scripts/fuzz.sh" "${PODLANE_FUZZ_SECONDS:-15}"
fi
