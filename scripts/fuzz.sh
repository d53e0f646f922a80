#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a
# while. A crash leaves its input in build-fuzz/crashes/ and fails the run.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
build=${PODLANE_FUZZ_BUILD_DIR:-$root/build-fuzz}
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DPODLANE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
# Every tests/fuzz/fuzz_*.cpp is a target of the same name.
targets=()
for source in "$root"/tests/fuzz/fuzz_*.cpp; do
    name=${source##*/}
    targets+=("${name%.cpp}")
done
# PODLANE_FUZZ_TARGETS="fuzz_a fuzz_b": only those (e.g. after changing one parser).
if [[ -n ${PODLANE_FUZZ_TARGETS:-} ]]; then read -ra targets <<< "$PODLANE_FUZZ_TARGETS"; fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
mkdir -p "$build/crashes"
for target in "${targets[@]}"; do
    corpus="$build/corpus/$target"
    mkdir -p "$corpus"
    echo "fuzz: $target for ${seconds}s"
    "$build/tests/fuzz/$target" "$corpus" -max_total_time="$seconds" -max_len=4096 \
        -artifact_prefix="$build/crashes/$target-" -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|ERROR|SUMMARY" || true
    if ls "$build/crashes/$target-"* > /dev/null 2>&1; then
        echo "fuzz: $target found a crash: $(ls "$build/crashes/$target-"*)" >&2
        exit 1
    fi
done
echo "fuzz: no crashes"
