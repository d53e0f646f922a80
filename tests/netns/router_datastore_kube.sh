#!/usr/bin/env bash
# podlaned --role router --datastore kubernetes, end to end against the fake
# API server (tests/datastore/fake_kube_apiserver.py, run in the router's
# namespace): the router's file lists no node, its routes map follows the
# Node objects (added, moved, deleted; a Node whose pod CIDR is outside the
# cluster CIDR is left out with a warning), and a restart while the API
# server is gone keeps every route and keeps following their next hops.
# Usage: router_datastore_kube.sh BUILD_DIR
set -euo pipefail
build=${1:?build dir}
here=$(cd "$(dirname "$0")" && pwd)
podlaned="$build/loader/podlaned"
tag="plrk$$"
pin_root="/sys/fs/bpf/podlane-test/$tag"
work=$(mktemp -d)
router_pid=""
api_pid=""

ns() { echo "$tag-$1"; }
in_ns() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" "$@"; }

cleanup() {
    set +e
    [ -n "$router_pid" ] && kill "$router_pid" 2> /dev/null && wait "$router_pid" 2> /dev/null
    [ -n "$api_pid" ] && kill "$api_pid" 2> /dev/null && wait "$api_pid" 2> /dev/null
    for n in r seg; do ip netns del "$(ns $n)" 2> /dev/null; done
    rm -rf "$pin_root" "$work"
    rmdir "${pin_root%/*}" 2> /dev/null || true
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$work"/*.log; do echo "--- $f"; tail -n 30 "$f"; done >&2
    exit 1
}

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
for tool in jq python3 curl; do
    command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
podlanectl="$build/maps-cli/podlanectl"
[ -x "$podlanectl" ] || { echo "SKIP: $podlanectl is not built"; exit 77; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# The router's interface: a veth on 192.160.1.0/24 whose peer sits in another
# namespace (no node answers there; only the routes map is checked).
for n in r seg; do ip netns add "$(ns $n)"; ip -n "$(ns $n)" link set lo up; done
ip -n "$(ns r)" link add eth0 type veth peer name port-r netns "$(ns seg)"
ip -n "$(ns r)" addr add 192.160.1.1/24 dev eth0
ip -n "$(ns r)" link set eth0 up
ip -n "$(ns seg)" link set port-r up

start_api() {
    # nsenter execs python3, so $! is the server itself (killed by PID).
    nsenter --net="/run/netns/$(ns r)" python3 "$here/../datastore/fake_kube_apiserver.py" s3cret \
        > "$work/api.out" 2> "$work/api.log" &
    api_pid=$!
    for _ in $(seq 100); do grep -q '^PORT ' "$work/api.out" 2> /dev/null && break; sleep 0.05; done
    port=$(awk '/^PORT /{print $2}' "$work/api.out")
    [ -n "$port" ] || fail "the fake API server did not start"
}
control() { # WHAT JSON
    in_ns r curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$port/_control/$1" > /dev/null ||
        fail "fake API: $1 $2"
}
start_api
cat > "$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "http://127.0.0.1:$port"}
contexts:
- name: router@fake
  context: {cluster: fake, user: router}
current-context: router@fake
users:
- name: router
  user: {token: s3cret}
YAML
control upsert '{"name": "node1", "ip": "192.160.1.11", "cidr": "10.244.1.0/24"}'
control upsert '{"name": "node2", "ip": "192.160.1.12", "cidr": "10.244.2.0/24"}'
control upsert '{"name": "stray", "ip": "192.160.1.19", "cidr": "10.99.0.0/24"}'

mkdir -p "$work/router"
cat > "$work/router/router.json" <<JSON
{"nodeName": "router", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "pinRoot": "$pin_root",
 "clusterCIDR": "10.244.0.0/16"}
JSON
start_router() { # LOGNAME
    nsenter --net="/run/netns/$(ns r)" "$podlaned" --role router --hook tc --config "$work/router/router.json" \
        --run-dir "$work/run" --datastore kubernetes --kubeconfig "$work/kubeconfig" > "$work/$1.log" 2>&1 &
    router_pid=$!
    for _ in $(seq 100); do grep -q "podlaned: ready" "$work/$1.log" && return 0; sleep 0.1; done
    fail "router did not become ready"
}
# "10.244.1.0/24=192.160.1.11 ..." sorted: the routes map as text.
routes() {
    in_ns r "$podlanectl" --pin-root "$pin_root" --node router routes list -o json 2> /dev/null |
        jq -r '[.routes[] | "\(.cidr)=\(.nodeIp)"] | sort | join(" ")'
}
routes_become() { # WANT WHAT
    local got=""
    for _ in $(seq 100); do
        got=$(routes)
        [ "$got" = "$1" ] && return 0
        sleep 0.05
    done
    fail "$2: routes are '$got', want '$1'"
}

# --- the Node objects become routes; the stray one does not
start_router router
routes_become "10.244.1.0/24=192.160.1.11 10.244.2.0/24=192.160.1.12" "listed nodes"
grep -q "warning: node stray is not routed: pod CIDR 10.99.0.0/24 is outside clusterCIDR" "$work/router.log" ||
    fail "the stray node's warning is missing"
echo "ok: the router's file lists no node; its routes are the Node objects' (the one outside clusterCIDR left out, with a warning)"

# --- watch: added, moved, deleted
control upsert '{"name": "node3", "ip": "192.160.1.13", "cidr": "10.244.3.0/24"}'
control upsert '{"name": "node2", "ip": "192.160.1.22", "cidr": "10.244.2.0/24"}'
control delete '{"name": "node1"}'
routes_become "10.244.2.0/24=192.160.1.22 10.244.3.0/24=192.160.1.13" "after add, move and delete"
echo "ok: Node added, moved and deleted: the router's routes follow without a restart"

# --- restart with the API server gone: nothing is lost
kill "$router_pid"
wait "$router_pid" 2> /dev/null || true
router_pid=""
kill "$api_pid"
wait "$api_pid" 2> /dev/null || true
api_pid=""
start_router router-restarted
for _ in $(seq 50); do grep -q "unreachable" "$work/router-restarted.log" && break; sleep 0.1; done
grep -q "unreachable" "$work/router-restarted.log" || fail "the restarted router did not report the API server unreachable"
[ "$(routes)" = "10.244.2.0/24=192.160.1.22 10.244.3.0/24=192.160.1.13" ] ||
    fail "routes changed while the API server was gone: $(routes)"
# Its next hops are still followed: the nodes of those routes are resolved.
for _ in $(seq 50); do grep -q "neighbour 192.160.1.22 unknown: asking the kernel" "$work/router-restarted.log" && break; sleep 0.1; done
grep -q "neighbour 192.160.1.22 unknown: asking the kernel" "$work/router-restarted.log" ||
    fail "the restarted router stopped following its next hops' neighbours while the API server is gone"
echo "ok: restarted with the API server gone, the router keeps every route and keeps resolving their next hops"

