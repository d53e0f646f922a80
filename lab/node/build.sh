#!/usr/bin/env bash
# Configure (once) and build podlane. Used by the namespace lab and by the
# Vagrant provisioning.
#
#   build.sh [--build-dir DIR] [--source-dir DIR] [TARGET...]
# With no TARGET, builds everything.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=''
targets=()
while (($#)); do
	case $1 in
	--build-dir)
		build=$2
		shift 2
		;;
	--source-dir)
		src=$2
		shift 2
		;;
	*)
		targets+=("$1")
		shift
		;;
	esac
done
build=${build:-$src/build}

if [[ ! -f $build/CMakeCache.txt ]]; then
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
jobs=$(nproc 2>/dev/null || echo 2)
if ((${#targets[@]})); then
	cmake --build "$build" -j "$jobs" --target "${targets[@]}" >&2
else
	cmake --build "$build" -j "$jobs" >&2
fi
