#!/usr/bin/env bash
# One format for every C/C++ file: .clang-format (C++), bpf/.clang-format and
# the ABI header's (kernel style). clang-format 14 is the version the rules
# are written for (Debian 12); other versions break lines differently.
#   scripts/format.sh          rewrite the files in place
#   scripts/format.sh --check  list the files that differ, exit 1 if any
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
clang_format=$(command -v clang-format-14 || true)
if [ -z "$clang_format" ]; then
    echo "format: clang-format-14 not found (apt-get install clang-format-14)" >&2
    exit 2
fi
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    mapfile -t files < <(git ls-files -- '*.c' '*.h' '*.cpp' '*.hpp')
else
    mapfile -t files < <(find bpf cni include lib loader maps-cli tests bench \
        -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp')
fi
if [ "${1:-}" = "--check" ]; then
    differing=$("$clang_format" --dry-run "${files[@]}" 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: code should be clang-formatted.*/\1/p' | sort -u)
    if [ -n "$differing" ]; then
        echo "format: these files differ from the project's format (fix: bash scripts/format.sh):"
        echo "$differing"
        exit 1
    fi
    echo "format: ${#files[@]} files match"
else
    "$clang_format" -i "${files[@]}"
fi
