# shellcheck shell=bash
# shellcheck disable=SC2034
# Names, logging, locking and process bookkeeping of bench/run-bench.
#
# Everything the benchmark creates is named plb-* (namespaces), lives under
# $BENCH_STATE (files, recorded PIDs) and $BENCH_PIN_ROOT (pins), so a crashed
# run can always be found and removed, and nothing of the lab (pl-*) or of
# another engineer is ever touched.

BENCH_STATE=${PODLANE_BENCH_STATE:-/run/podlane-bench}
BENCH_LOCK=${PODLANE_BENCH_LOCK:-/run/podlane-bench.lock}
BENCH_PIN_ROOT=${PODLANE_BENCH_PIN_ROOT:-/sys/fs/bpf/podlane-bench}
BENCH_NS_PREFIX=plb
IPERF_PORT=5201
RR_PORT=7001

log() { printf '[run-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
warn() { printf '[run-bench] warning: %s\n' "$*" >&2; }
die() {
	printf '[run-bench] error: %s\n' "$*" >&2
	exit 1
}

# in_ns NS CMD...: only the network namespace changes; never `ip netns exec`,
# which remounts /sys and hides the bpffs holding the pins.
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

bench_lock() {
	exec 8>"$BENCH_LOCK"
	flock -n 8 || {
		log "another run-bench holds $BENCH_LOCK; waiting"
		flock -w 1800 8 || die "another run-bench holds $BENCH_LOCK"
	}
}

proc_starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	printf '%s' "${20}"
}

# spawn NAME NS LOG CMD...: start CMD in NS, record PID + start time so that
# cleanup kills exactly this process and nothing else. nsenter with only
# --net execs the command, so $! is the command's PID.
spawn() {
	local name=$1 ns=$2 logfile=$3 pid st
	shift 3
	mkdir -p "$BENCH_STATE/pids"
	nsenter --net="/run/netns/$ns" -- "$@" </dev/null >>"$logfile" 2>&1 &
	pid=$!
	st=$(proc_starttime "$pid") || st=0
	printf '%s %s\n' "$pid" "$st" >"$BENCH_STATE/pids/$name.pid"
	printf '%s' "$pid"
}

recorded_pid() {
	local file=$BENCH_STATE/pids/$1.pid pid st now
	[[ -f $file ]] || return 1
	read -r pid st <"$file" || return 1
	now=$(proc_starttime "$pid") || return 1
	[[ $st == 0 || $now == "$st" ]] || return 1
	printf '%s' "$pid"
}

stop_recorded() {
	local name=$1 pid i
	if pid=$(recorded_pid "$name"); then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$BENCH_STATE/pids/$name.pid"
}

bench_namespaces() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$BENCH_NS_PREFIX-" || true
}

# Removes everything a run (this one or a crashed earlier one) created.
teardown() {
	local f name ns
	if [[ -d $BENCH_STATE/pids ]]; then
		for f in "$BENCH_STATE"/pids/*.pid; do
			[[ -f $f ]] || continue
			name=${f##*/}
			stop_recorded "${name%.pid}"
		done
	fi
	# Pods first (plb-C-nNpM), then nodes, routers, segments.
	for ns in $(bench_namespaces | sort -r); do
		ip netns del "$ns" 2>/dev/null || warn "cannot delete namespace $ns"
	done
	[[ -d $BENCH_PIN_ROOT ]] && { rm -rf "$BENCH_PIN_ROOT" || warn "cannot remove $BENCH_PIN_ROOT"; }
	rm -rf "$BENCH_STATE"
}

# /proc/stat: system + softirq jiffies summed over CPUs.
cpu_sys_softirq() { awk '$1 == "cpu" { print $4 + $8; exit }' /proc/stat; }

median_of() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
