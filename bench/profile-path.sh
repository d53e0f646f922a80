#!/usr/bin/env bash
# Where does a request/response round trip spend its CPU? Profiles 1-byte TCP
# ping-pong (pl-bench-rr, client and server pinned to CPU 0, as run-bench
# does) with `perf record -a -g` on CPU 0, for node->node and for pod->pod
# cross-node on the running lab, and prints the top kernel symbols of each
# side by side. Needs the lab up (lab/podlane-lab up) and root.
#
#   bench/profile-path.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
secs=${2:-5}
rr=$build/bench/pl-bench-rr
state=/run/podlane-lab
port=7101

[[ $(id -u) -eq 0 ]] || { echo "profile-path: run as root" >&2; exit 1; }
command -v perf > /dev/null || { echo "profile-path: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
[[ -x $rr ]] || { echo "profile-path: $rr is not built (cmake --build $build --target pl-bench-rr)" >&2; exit 1; }
[[ -f $state/pods/pl-node2-pod1 ]] || { echo "profile-path: no lab is up (lab/podlane-lab up)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# profile NAME SERVER_NS CLIENT_NS SERVER_IP
profile() {
    local name=$1 server_ns=$2 client_ns=$3 ip=$4
    nsenter --net="/run/netns/$server_ns" -- taskset -c 0 "$rr" serve --port "$port" > /dev/null 2>&1 &
    pids+=($!)
    sleep 0.3
    perf record -q -a -C 0 -g -o "$work/$name.data" -- \
        nsenter --net="/run/netns/$client_ns" -- taskset -c 0 "$rr" rr --host "$ip" --port "$port" --seconds "$secs" \
        > "$work/$name.rr" 2> /dev/null
    kill "${pids[-1]}" 2> /dev/null || true
    perf report -i "$work/$name.data" --no-children --sort symbol --percent-limit 0.4 --stdio 2> /dev/null |
        grep -E '^ +[0-9.]+%' | head -n 45 > "$work/$name.top"
    port=$((port + 1))
}

pod_ip() { awk '{print $2}' "$state/pods/$1"; }
profile node pl-node2 pl-node1 192.160.1.12
profile pod pl-node2-pod1 pl-node1-pod1 "$(pod_ip pl-node2-pod1)"

for n in node pod; do
    printf '\n== %s: %s\n' "$n" "$(tr '\n' ' ' < "$work/$n.rr")"
    cat "$work/$n.top"
done
