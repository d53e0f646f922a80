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

# Namespaces and processes: scripts/lib/netns.sh, shared with the lab and
# the namespace tests.
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/netns.sh"
in_ns() { pl_in_ns "$@"; }

bench_lock() {
	exec 8>"$BENCH_LOCK"
	flock -n 8 || {
		log "another run-bench holds $BENCH_LOCK; waiting"
		flock -w 1800 8 || die "another run-bench holds $BENCH_LOCK"
	}
}

# spawn NAME NS LOG CMD...: recorded under $BENCH_STATE/pids, so that
# cleanup kills exactly this process and nothing else; prints the PID.
spawn() { pl_spawn "$BENCH_STATE" "$@"; }
recorded_pid() { pl_recorded_pid "$BENCH_STATE" "$1"; }

bench_namespaces() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$BENCH_NS_PREFIX-" || true
}

# Removes everything a run (this one or a crashed earlier one) created.
teardown() {
	local ns
	pl_stop_all "$BENCH_STATE"
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
