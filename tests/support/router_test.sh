# shellcheck shell=bash
# The router role in a namespace test (tests/netns/router_*.sh) or benchmark
# (bench/router): on top of netns_test.sh (source that first, then
# pl_test_begin). The router's namespace is "r"; its agent is recorded as
# "router"; everything is read through podlanectl, never from the maps.
#
#   segment_add                a bridge br0 in namespace seg
#   plug SHORT ADDR/LEN PORT   SHORT's eth0 on the segment (PORT on br0)
#   link_router_to_node I      a veth to-nI from r to nI: 192.160.1.1 peer
#                              the node's IP; the node's eth0 on its /24
#   router_config IFACES NODES [EXTRA]  write $work/router/router.json
#                              (NODES "": no node list; EXTRA: more keys)
#   start_router LOG ARGS...   podlaned --role router ARGS in r, until ready
#   stop_router                SIGTERM (the programs stay attached)
#   router_forwarded           packets counted as forwarded-router
#   router_neighbours          how many node MACs the router learned
#   wait_neighbours N          fail unless it learned N within 5 s
#   router_port_flags          the router ports' flags, JSON: [["veth-peer"], ...]
#   router_route_count NODE    entries in NODE's routes map
#   build_peer_pass            $work/peer_pass.o: the XDP pass program a veth
#                              peer needs to receive XDP_TX/XDP_REDIRECT
#                              (skips the test without clang)
#   router_counters            the router's non-zero counters; what
#                              test_diagnostics (printed by fail) shows
#                              unless the test redefines it
#
# Variables set here are the sourcing script's:
# shellcheck disable=SC2034,SC2154

segment_add() { pl_segment_add "$(ns seg)" br0 || fail "cannot create the segment"; }
plug() { pl_segment_plug "$(ns seg)" br0 "$3" "$(ns "$1")" "$2" || fail "cannot plug $1 into the segment"; }
link_router_to_node() {
	local i=$1 ip="192.160.1.$((10 + $1))"
	ip -n "$(ns r)" link add "to-n$i" type veth peer name eth0 netns "$(ns "n$i")"
	ip -n "$(ns r)" addr add 192.160.1.1/32 peer "$ip/32" dev "to-n$i"
	ip -n "$(ns r)" link set "to-n$i" up
	ip -n "$(ns "n$i")" addr add "$ip/24" dev eth0
	ip -n "$(ns "n$i")" link set eth0 up
}

router_config() {
	local nodes=""
	[ -n "$2" ] && nodes=", \"nodes\": $2"
	mkdir -p "$work/router"
	cat > "$work/router/router.json.tmp" << JSON
{"nodeName": "router", "nodeIP": "192.160.1.1", "interfaces": $1, "pinRoot": "$pin_root"${3:+, $3}$nodes}
JSON
	mv "$work/router/router.json.tmp" "$work/router/router.json" # a running agent reconciles on the rename
}

start_router() {
	local log=$1
	shift
	start_in_ns router r "$log" "$podlaned" --role router --config "$work/router/router.json" --run-dir "$work/run" "$@"
	pl_wait_for_log "$log" "podlaned: ready" 10 || fail "router ($*) did not become ready"
}
stop_router() { stop_in_ns router; }

router_forwarded() { counter router forwarded-router; }
router_neighbours() { ctl router router neighbours -o json 2> /dev/null | jq '.neighbours | length'; }
wait_neighbours() {
	local n=0
	for _ in $(seq 50); do
		n=$(router_neighbours) || n=0
		[ "$n" = "$1" ] && return 0
		sleep 0.1
	done
	fail "router learned $n of $1 node MACs"
}
router_port_flags() { ctl router router ports -o json | jq -c '[.ports[].flags]'; }
router_route_count() { ctl "$1" routes list -o json | jq '.routes | length'; }

build_peer_pass() {
	local clang
	clang=$(command -v clang-14 || command -v clang) || skip "clang needed for the veth peers' XDP pass program"
	"$clang" -target bpf -O2 -idirafter "/usr/include/$(gcc -print-multiarch 2> /dev/null || echo x86_64-linux-gnu)" \
		-c "$(dirname "${BASH_SOURCE[0]}")/../netns/router_peer_pass.bpf.c" -o "$work/peer_pass.o"
}

test_diagnostics() { router_counters; }
router_counters() {
	echo "--- router counters (non-zero)"
	ctl router stats -o json 2> /dev/null | jq -c '.reasons[] | select(.packets > 0) | {reason, packets}'
	return 0
}
