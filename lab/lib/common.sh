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
pod_ns() { printf 'pl-node%s-pod%s' "$1" "$2"; }

# in_ns NS CMD...: run CMD in the namespace's network namespace only. Never
# `ip netns exec`: it remounts /sys and hides the bpffs holding the pins.
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

ns_exists() { [[ -e /run/netns/$1 ]]; }

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

# --- processes: the lab kills only what it recorded ----------------------
proc_starttime() {
	# Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces.
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	printf '%s' "${20}"
}

# lab_spawn NAME NS LOG CMD...: start CMD in NS in the background (without the lock descriptor), record its
# PID and start time under $LAB_STATE/pids/NAME.pid. nsenter with only --net
# execs the command itself, so the PID is the command's.
lab_spawn() {
	local name=$1 ns=$2 logfile=$3
	shift 3
	mkdir -p "$LAB_STATE/pids"
	nsenter --net="/run/netns/$ns" -- "$@" </dev/null >>"$logfile" 2>&1 9>&- &
	local pid=$!
	local st
	st=$(proc_starttime "$pid") || st=0
	printf '%s %s\n' "$pid" "$st" >"$LAB_STATE/pids/$name.pid"
	printf '%s' "$pid"
}

# The recorded PID if that process is still the one we started.
recorded_pid_alive() {
	local file=$LAB_STATE/pids/$1.pid pid st now
	[[ -f $file ]] || return 1
	read -r pid st <"$file" || return 1
	now=$(proc_starttime "$pid") || return 1
	[[ $st == 0 || $now == "$st" ]] || return 1
	printf '%s' "$pid"
}

# lab_kill NAME [SIGNAL]: signal a recorded process, wait for it to go (then
# SIGKILL after 5 s), forget it. Safe when it is already gone.
lab_kill() {
	local name=$1 sig=${2:-TERM} pid i
	if pid=$(recorded_pid_alive "$name"); then
		kill "-$sig" "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			warn "$name (pid $pid) ignored SIG$sig for 5 s; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
		fi
		# Reap it if it is our own child (same shell that spawned it).
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$LAB_STATE/pids/$name.pid"
}

# Wait until FILE contains PATTERN while process NAME lives.
wait_for_log() {
	local name=$1 file=$2 pattern=$3 timeout=${4:-30} i
	for ((i = 0; i < timeout * 10; i++)); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		recorded_pid_alive "$name" >/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Write a file atomically (rename), so a watcher never reads half of it.
atomic_write() {
	local dest=$1 tmp
	tmp=$(mktemp "${dest}.XXXXXX")
	cat >"$tmp"
	mv -f "$tmp" "$dest"
}
