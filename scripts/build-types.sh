#!/usr/bin/env bash
# Builds the whole tree (warnings are errors) in the build types and with the
# compilers packagers use, each in its own directory under build-types/.
#   scripts/build-types.sh                       every type, GCC and clang++
#   scripts/build-types.sh gcc:Release clang:Debug
# CI's test build is gcc Release (PODLANE_BUILD_TYPE in .ci/run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${PODLANE_BUILD_TYPES_DIR:-$root/build-types}
configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
    configs=(gcc:Debug gcc:Release gcc:RelWithDebInfo gcc:MinSizeRel clang:Debug clang:Release)
fi
mkdir -p "$out"
failed=()
for config in "${configs[@]}"; do
    compiler=${config%%:*}
    type=${config#*:}
    case "$compiler" in
        gcc) cc=gcc cxx=g++ ;;
        clang) cc=clang cxx=clang++ ;;
        *) echo "build-types: unknown compiler '$compiler' in '$config' (gcc or clang)" >&2; exit 2 ;;
    esac
    dir="$out/$compiler-$type"
    echo "== $compiler $type ($dir)"
    if cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DCMAKE_C_COMPILER="$cc" \
        -DCMAKE_CXX_COMPILER="$cxx" > "$dir.log" 2>&1 &&
        cmake --build "$dir" -j "$(nproc)" >> "$dir.log" 2>&1; then
        echo "   ok"
    else
        echo "   FAILED: the first errors (whole log: $dir.log)"
        grep -m 10 -E 'error|warning' "$dir.log" | sed 's/^/   /'
        failed+=("$config")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "build-types: failed: ${failed[*]}"
    exit 1
fi
echo "build-types: all of ${configs[*]} built without a warning"
