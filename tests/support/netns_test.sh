# shellcheck shell=bash
# Variables set here are the sourcing script's:
# shellcheck disable=SC2034
# The frame of a namespace test (tests/netns/*.sh, maps-cli's smoke test and
# the small benchmarks that borrow a test's topology), on scripts/lib/netns.sh.
#
#   source tests/support/netns_test.sh
#   pl_test_begin TAG BUILD_DIR
#
# pl_test_begin sets, for the rest of the script:
#   tag        TAG plus this shell's PID: every namespace is "$tag-SHORT", so
#              two runs (or two tests) never collide
#   work       a fresh temporary directory (logs, configs, recorded PIDs)
#   pin_root   /sys/fs/bpf/podlane-test/$tag
#   build, podlaned, podlanectl, PL_BUILD_DIR (for register_endpoint.sh)
# and, on exit (unless KEEP is set), stops every process started with
# start_in_ns, calls test_cleanup if the script defines it, deletes every
# "$tag-*" namespace and removes pin_root and work.
#
# Then, by SHORT names (n1, p1, r, seg...):
#   ns SHORT                 the namespace's full name
#   in_ns SHORT CMD...       run CMD there
#   ns_add SHORT...          create (loopback up)
#   start_in_ns NAME SHORT LOG CMD...   in the background, recorded as NAME
#                            (its PID also in $started_pid)
#   stop_in_ns NAME [SIGNAL] stop it, wait for it
#   wait_ready LOG WHAT      fail unless LOG says "ready" within 10 s
#   link_nodes_direct        n1 and n2 joined by one veth (eth0 each, .11, .12)
#   node_config I NODES [EXTRA]  write $work/nodeI.json (uplink eth0)
#   start_podlaned I LOG ARGS...    podlaned on nI with $work/nodeI.json,
#                            recorded as podlanedI
#   ctl NODE ARGS...         podlanectl on this test's pins, e.g. ctl node1 stats
#   counter NODE REASON      packets counted under a reason (podlanectl stats)
#   fail MSG / skip MSG      exit 1 with the logs (and test_diagnostics) / exit 77
#   skip_unless_root_and TOOL...    skip without root or one of the tools

# shellcheck source=scripts/lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/netns.sh"

pl_test_begin() {
	tag="$1$$"
	build=$(readlink -m "${2:?build dir}")
	PL_BUILD_DIR=$build
	podlaned="$build/loader/podlaned"
	podlanectl="$build/maps-cli/podlanectl"
	pin_root="/sys/fs/bpf/podlane-test/$tag"
	work=$(mktemp -d)
	started_pid=""
	[ -n "${KEEP:-}" ] || trap pl_test_cleanup EXIT INT TERM HUP
}

pl_test_cleanup() {
	local rc=$? n
	trap - EXIT INT TERM HUP
	set +e
	pl_stop_all "$work"
	declare -F test_cleanup > /dev/null && test_cleanup
	for n in $(ip netns list 2> /dev/null | awk '{print $1}' | grep "^$tag-"); do ip netns del "$n" 2> /dev/null; done
	rm -rf "$pin_root" "$work"
	rmdir "${pin_root%/*}" 2> /dev/null
	exit "$rc"
}

ns() { echo "$tag-$1"; }
in_ns() {
	local n
	n=$(ns "$1")
	shift
	pl_in_ns "$n" "$@"
}
ns_add() {
	local n
	for n in "$@"; do pl_ns_add "$(ns "$n")" || fail "cannot create namespace $(ns "$n")"; done
}

start_in_ns() {
	local name=$1 n
	n=$(ns "$2")
	shift 2
	# Not in $(...): the process must be this shell's child, so that it can
	# be waited for.
	pl_spawn "$work" "$name" "$n" "$@" > /dev/null
	started_pid=$!
}
stop_in_ns() { pl_stop "$work" "$@"; }

wait_ready() { pl_wait_for_log "$1" ready 10 || fail "$2 did not become ready"; }

# node_config I NODES [EXTRA]: node I on 192.160.1.(10+I), uplink eth0, this
# test's pin root; EXTRA is more JSON keys ('"routerIP": "192.160.1.1"').
node_config() {
	cat > "$work/node$1.json.tmp" << JSON
{"nodeName": "node$1", "nodeIP": "192.160.1.$((10 + $1))", "uplink": "eth0", "pinRoot": "$pin_root"${3:+, $3},
 "nodes": $2}
JSON
	mv "$work/node$1.json.tmp" "$work/node$1.json" # a running agent reconciles on the rename
}

link_nodes_direct() {
	local i
	ip -n "$(ns n1)" link add eth0 type veth peer name eth0 netns "$(ns n2)"
	for i in 1 2; do
		ip -n "$(ns "n$i")" addr add "192.160.1.$((10 + i))/24" dev eth0
		ip -n "$(ns "n$i")" link set eth0 up
	done
}

start_podlaned() {
	local i=$1 log=$2
	shift 2
	start_in_ns "podlaned$i" "n$i" "$log" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" "$@"
}

ctl() {
	local node=$1
	shift
	"$podlanectl" --pin-root "$pin_root" --run-root "$work/run" --node "$node" "$@"
}
counter() { ctl "$1" stats -o json | jq -r --arg r "$2" '[.reasons[] | select(.reason == $r) | .packets] | add // 0'; }

fail() {
	echo "FAIL: $*" >&2
	local f
	for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2
	declare -F test_diagnostics > /dev/null && test_diagnostics >&2
	exit 1
}
skip() {
	echo "SKIP: $*"
	exit 77
}
skip_unless_root_and() {
	local tool
	[ "$(id -u)" = 0 ] || skip "needs root"
	for tool in "$@"; do command -v "$tool" > /dev/null || skip "$tool is not installed"; done
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}
