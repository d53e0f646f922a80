#!/bin/bash
# Convergence of a real podlaned in etcd mode: time from a write to etcd to
# the entry in podlaned's routes map (and back). Root; everything happens in
# a private network namespace with its own etcd on 127.0.0.1, a veth uplink
# and a pin directory of its own, all removed at the end.
#
# Usage (as root): bench/datastore/agent_convergence.sh [BUILD_DIR] [ROUNDS]
#   BUILD_DIR defaults to ./build; needs loader/podlaned and
#   tests/bench_datastore_convergence built in it.
set -euo pipefail

build=$(realpath "${1:-build}")
rounds=${2:-100}
podlaned=$build/loader/podlaned
bench=$build/tests/bench_datastore_convergence
for f in "$podlaned" "$bench"; do
    [ -x "$f" ] || { echo "missing $f (build podlaned and bench_datastore_convergence)" >&2; exit 1; }
done
command -v etcd >/dev/null || { echo "etcd is not installed (Debian package etcd-server)" >&2; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root (BPF maps, a network namespace)" >&2; exit 77; }

if [ "${PODLANE_BENCH_IN_NETNS:-}" != 1 ]; then
    PODLANE_BENCH_IN_NETNS=1 exec unshare -n "$0" "$build" "$rounds"
fi

work=$(mktemp -d /tmp/podlane-dsbench-XXXXXX)
pin_root=/sys/fs/bpf/podlane-dsbench-$$
etcd_pid=
agent_pid=
cleanup() {
    set +e  # clean up everything, whatever fails
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
    "$podlaned" --config "$work/node.json" --datastore etcd --etcd-endpoints http://127.0.0.1:2379 \
        --run-dir "$work/run" --detach >>"$work/agent.log" 2>&1 || true
    [ -n "$etcd_pid" ] && kill "$etcd_pid" 2>/dev/null && wait "$etcd_pid" 2>/dev/null
    rmdir "$pin_root" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ip link set lo up
ip link add bench0 type veth peer name bench0p
ip addr add 192.168.61.254/24 dev bench0
ip link set bench0 up
ip link set bench0p up

# A private namespace: the standard ports are free here.
etcd --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster default=http://127.0.0.1:2380 --log-level warn >"$work/etcd.log" 2>&1 &
etcd_pid=$!
for _ in $(seq 100); do
    curl -sf http://127.0.0.1:2379/health >/dev/null 2>&1 && break
    sleep 0.1
done

cat >"$work/node.json" <<JSON
{"nodeName": "bench-self", "nodeIP": "192.168.61.254", "uplink": "bench0", "pinRoot": "$pin_root"}
JSON
"$podlaned" --config "$work/node.json" --datastore etcd --etcd-endpoints http://127.0.0.1:2379 \
    --run-dir "$work/run" >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 200); do
    grep -q "registered in etcd" "$work/agent.log" && break
    sleep 0.05
done
grep -q "registered in etcd" "$work/agent.log" || { cat "$work/agent.log" >&2; exit 1; }

"$bench" --etcd http://127.0.0.1:2379 --pin-dir "$pin_root/bench-self" "$rounds"
