# shellcheck shell=bash
# Constants here are used by the other lib files and podlane-lab:
# shellcheck disable=SC2034
# Shared state, logging, locking and process bookkeeping of the namespace lab.
# Sourced by lab/podlane-lab; every name the lab creates is fixed and starts
# with "pl-", so a crashed or half-built lab can always be found and removed.

LAB_STATE=${PODLANE_LAB_STATE:-/run/podlane-lab}
LAB_LOCK=${PODLANE_LAB_LOCK:-/run/podlane-lab.lock}
LAB_PIN_ROOT=${PODLANE_LAB_PIN_ROOT:-/sys/fs/bpf/podlane-lab}
LAB_SEG_NS=pl-seg
LAB_SEG_BRIDGE=seg0
LAB_ROUTER_NS=pl-router
LAB_ROUTER_IP=192.160.1.1
LAB_SEG_PREFIX=192.160.1
LAB_CLUSTER_CIDR=10.244.0.0/16
LAB_PODS_PER_NODE=2
LAB_TCP_PORT=7777
# --datastore etcd: one etcd on the segment, reached by the nodes over it.
LAB_ETCD_IP=192.160.1.250
LAB_ETCD_URL=http://192.160.1.250:2379
# --ip-family dual: the same segment and pods, with IPv6 beside IPv4.
LAB_SEG_PREFIX6=fd00:192:160:1
LAB_CLUSTER_CIDR6=fd00:10:244::/56
LAB_ETCD_IP6=fd00:192:160:1::250

log() { printf '[podlane-lab] %s\n' "$*" >&2; }
warn() { printf '[podlane-lab] warning: %s\n' "$*" >&2; }
die() {
	printf '[podlane-lab] error: %s\n' "$*" >&2
	exit 1
}

node_ns() { printf 'pl-node%s' "$1"; }
node_name() { printf 'node%s' "$1"; }
node_ip() { printf '%s.%s' "$LAB_SEG_PREFIX" "$((10 + $1))"; }
# With a datastore the node claims its CIDR: the resolved node file has it.
node_pod_cidr() {
	local resolved=$LAB_STATE/config/node$1/node.resolved.json
	if [[ $(state_get datastore) == etcd ]]; then
		jq -r '.podCIDR // "(claiming)"' "$resolved" 2>/dev/null || printf '(claiming)'
	else
		printf '10.244.%s.0/24' "$1"
	fi
}
node_gateway() { printf '10.244.%s.1' "$1"; }
# With IPv6 (ip_family dual or ipv6): node I is fd00:192:160:1::1I on the
# segment and owns fd00:10:244:I::/64 in every datastore (IPv6 claims are not
# automatic). IPv6-only (ipv6): podlane and the plugin are given no IPv4 and
# pods get none; the nodes keep their IPv4 segment address, for the lab's own
# plumbing (its management network).
lab_ipv6() { [[ $(state_get ip_family ipv4) != ipv4 ]]; }
lab_ipv4() { [[ $(state_get ip_family ipv4) != ipv6 ]]; }
node_ip6() { printf '%s::%s' "$LAB_SEG_PREFIX6" "$((10 + $1))"; }
node_pod_cidr6() { printf 'fd00:10:244:%s::/64' "$1"; }
node_gateway6() { printf 'fd00:10:244:%s::1' "$1"; }
# The node's interface on the segment (the VM lab's nodes: eth1).
node_uplink() { printf 'eth0'; }
pod_ns() { printf 'pl-node%s-pod%s' "$1" "$2"; }

# Namespaces and processes: scripts/lib/netns.sh, shared with the benchmarks
# and the namespace tests.
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/netns.sh"
in_ns() { pl_in_ns "$@"; }
ns_exists() { pl_ns_exists "$1"; }

state_get() {
	local key=$1 default=${2-}
	if [[ -f $LAB_STATE/$key ]]; then cat "$LAB_STATE/$key"; else printf '%s' "$default"; fi
}
state_set() { printf '%s\n' "$2" >"$LAB_STATE/$1"; }

# Only one lab at a time on a machine: the names are fixed. A caller that
# already holds the lock (an e2e test around several commands) exports
# PODLANE_LAB_LOCK_HELD=1 and keeps the descriptor open.
lab_lock() {
	[[ ${PODLANE_LAB_LOCK_HELD:-0} == 1 ]] && return 0
	local wait=${PODLANE_LAB_LOCK_WAIT:-600}
	exec 9>"$LAB_LOCK"
	if ! flock -n 9; then
		log "another lab command holds $LAB_LOCK; waiting up to ${wait}s"
		flock -w "$wait" 9 || die "lab is busy (lock $LAB_LOCK held for more than ${wait}s)"
	fi
	export PODLANE_LAB_LOCK_HELD=1
}

# --- processes: the lab kills only what it recorded (under $LAB_STATE/pids)
# lab_spawn NAME NS LOG CMD...: prints the PID.
lab_spawn() { pl_spawn "$LAB_STATE" "$@"; }
# The recorded PID if that process is still the one the lab started.
recorded_pid_alive() { pl_recorded_pid "$LAB_STATE" "$1"; }
# lab_kill NAME [SIGNAL]: safe when it is already gone.
lab_kill() { pl_stop "$LAB_STATE" "$@"; }
# wait_for_log NAME FILE PATTERN [SECONDS]: while process NAME lives.
wait_for_log() { pl_wait_for_log "$2" "$3" "${4:-30}" "$LAB_STATE" "$1"; }

# Write a file atomically (rename), so a watcher never reads half of it.
atomic_write() {
	local dest=$1 tmp
	tmp=$(mktemp "${dest}.XXXXXX")
	cat >"$tmp"
	mv -f "$tmp" "$dest"
}
