#!/bin/sh
# Builds the plugin and the benchmark, then compares ADD/DEL latency of
# `podlane` with the reference bridge + host-local. Root; everything happens
# in namespaces the benchmark creates and removes.
#   bench/cni/run.sh [ITERATIONS]
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${PODLANE_BUILD_DIR:-$src/build-cni}
cmake -S "$src" -B "$build" >/dev/null
make -C "$build" -j"$(nproc)" podlane_cni cni_bench >/dev/null
exec "$build/tests/cni_bench" "$build/cni/podlane" "${1:-200}" /usr/lib/cni
