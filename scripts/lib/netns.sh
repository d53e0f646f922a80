# shellcheck shell=bash
# One shell library for everything that builds network namespaces: the lab
# (lab/), the benchmarks (bench/) and the namespace tests (tests/netns/).
# Each user keeps its own name prefix (pl-*, plb-*, a test's tag), so runs
# of different users never collide; this file only knows full names.
#
# Namespaces   pl_ns_add NS...             create, loopback up
#              pl_ns_del NS...             delete (absent is fine)
#              pl_in_ns NS CMD...          run CMD in NS's network namespace only
# Processes    pl_spawn STATE NAME NS LOG CMD...
#              pl_recorded_pid STATE NAME  the PID, if still the process started
#              pl_stop STATE NAME [SIG]    signal, wait (SIGKILL after 5 s), forget
#              pl_stop_all STATE           every process recorded under STATE
#              pl_wait_for_log LOG PATTERN [SECONDS] [STATE NAME]
#              pl_eventually SECONDS CMD...   true once CMD succeeds
# Topology     pl_segment_add SEG_NS BRIDGE
#              pl_segment_plug SEG_NS BRIDGE PORT NS ADDR/LEN
#              pl_node_list N [FIRST]      the "nodes" JSON of nodes FIRST..N
#
# STATE is a directory owned by the caller ($LAB_STATE, $BENCH_STATE, a
# test's work directory); recorded PIDs live in STATE/pids/NAME.pid with the
# process's start time, so a PID reused by another process is never killed.

# pl_in_ns NS CMD...: never `ip netns exec`: it remounts /sys and hides the
# bpffs holding the pins. nsenter with only --net execs CMD itself.
pl_in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

pl_ns_exists() { [[ -e /run/netns/$1 ]]; }

pl_ns_add() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
}

pl_ns_del() {
	local ns
	for ns in "$@"; do
		pl_ns_exists "$ns" && ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# --- processes: kill only what was recorded ------------------------------
pl_proc_starttime() {
	# Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces.
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	printf '%s' "${20}"
}

# pl_spawn STATE NAME NS LOG CMD...: start CMD in NS in the background, its
# output appended to LOG, and record it as NAME. Prints the PID. The lab's
# and the benchmark's lock descriptors (9, 8) are closed in the child: a
# process left running must not hold their lock. Call it without $(...) when
# the caller wants to `wait` for the process (a subshell's child is not its).
pl_spawn() {
	local state=$1 name=$2 ns=$3 logfile=$4 pid st
	shift 4
	mkdir -p "$state/pids"
	nsenter --net="/run/netns/$ns" -- "$@" </dev/null >>"$logfile" 2>&1 8>&- 9>&- &
	pid=$!
	st=$(pl_proc_starttime "$pid") || st=0
	printf '%s %s\n' "$pid" "$st" >"$state/pids/$name.pid"
	printf '%s' "$pid"
}

pl_recorded_pid() {
	local file=$1/pids/$2.pid pid st now
	[[ -f $file ]] || return 1
	read -r pid st <"$file" || return 1
	now=$(pl_proc_starttime "$pid") || return 1
	[[ $st == 0 || $now == "$st" ]] || return 1
	printf '%s' "$pid"
}

# pl_stop STATE NAME [SIGNAL]: safe when the process is already gone.
pl_stop() {
	local state=$1 name=$2 sig=${3:-TERM} pid i
	if pid=$(pl_recorded_pid "$state" "$name"); then
		kill "-$sig" "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			printf 'warning: %s (pid %s) ignored SIG%s for 5 s; sending SIGKILL\n' "$name" "$pid" "$sig" >&2
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
		fi
		# Reap it if it is this shell's child.
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$state/pids/$name.pid"
}

pl_stop_all() {
	local state=$1 f name
	[[ -d $state/pids ]] || return 0
	for f in "$state"/pids/*.pid; do
		[[ -f $f ]] || continue
		name=${f##*/}
		pl_stop "$state" "${name%.pid}"
	done
}

# pl_wait_for_log LOG PATTERN [SECONDS=30] [STATE NAME]: until LOG holds
# PATTERN; with STATE NAME, give up as soon as that process is gone.
pl_wait_for_log() {
	local file=$1 pattern=$2 timeout=${3:-30} state=${4-} name=${5-} i
	for ((i = 0; i < timeout * 10; i++)); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		if [[ -n $name ]]; then pl_recorded_pid "$state" "$name" >/dev/null || return 1; fi
		sleep 0.1
	done
	return 1
}

# pl_eventually SECONDS CMD...: true once CMD succeeds, polled every 0.05 s.
pl_eventually() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
}

# --- topology pieces -----------------------------------------------------
# pl_segment_add SEG_NS BRIDGE: a bridge in its own namespace, the L2
# segment the nodes (and a router) share. No STP forwarding delay: ports
# forward as soon as they are up.
pl_segment_add() {
	pl_ns_add "$1" &&
		ip -n "$1" link add "$2" type bridge &&
		ip -n "$1" link set "$2" type bridge forward_delay 0 stp_state 0 &&
		ip -n "$1" link set "$2" up
}

# pl_segment_plug SEG_NS BRIDGE PORT NS ADDR/LEN: NS's eth0 on the segment,
# PORT its peer on the bridge.
pl_segment_plug() {
	local seg=$1 bridge=$2 port=$3 ns=$4 addr=$5
	ip -n "$seg" link add "$port" type veth peer name eth0 netns "$ns" &&
		ip -n "$seg" link set "$port" master "$bridge" up &&
		ip -n "$ns" addr add "$addr" dev eth0 &&
		ip -n "$ns" link set eth0 up
}

# pl_node_list N [FIRST=1]: node I is "nodeI", 192.160.1.(10+I), 10.244.I.0/24.
pl_node_list() {
	local last=$1 i=${2:-1} sep='' out='['
	for (( ; i <= last; i++)); do
		out+="$sep{\"name\": \"node$i\", \"nodeIP\": \"192.160.1.$((10 + i))\", \"podCIDR\": \"10.244.$i.0/24\"}"
		sep=', '
	done
	printf '%s]' "$out"
}
