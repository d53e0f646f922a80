# shellcheck shell=bash
# The small clusters the benchmark measures, all alive at the same time so that
# every round visits every path (A B C A B C ...). Each cluster C is the seed's
# topology in its own namespaces: a segment plb-C-seg (one bridge), nodes
# plb-C-nI with uplink eth0 192.160.1.1I/24, pods plb-C-nIpJ, and in router
# clusters a router plb-C-rtr (192.160.1.1). Same addresses in every cluster:
# the namespaces keep them apart, and nothing touches the machine's namespace.
# Dual-stack clusters (DUAL_STACK: k and p, for paths 1v6, 2v6, 3v6) add
# fd00:192:160:1::1I/64 on the uplinks and fd00:10:244:I::/64 pod ranges.
#
# Why not lab/podlane-lab: it holds ONE mode at a time under fixed names, so
# interleaving podlane, kernel routes, the reference plugins and the XDP hook
# would mean tearing it down and bringing it up between every sample.

cns() { printf '%s-%s-%s' "$BENCH_NS_PREFIX" "$1" "$2"; }
node_ip() { printf '192.160.1.%s' "$((10 + $1))"; }
pod_cidr() { printf '10.244.%s.0/24' "$1"; }
ROUTER_IP=192.160.1.1
CLUSTER_NODES=2
node_ip6() { printf 'fd00:192:160:1::%s' "$((10 + $1))"; }
pod_cidr6() { printf 'fd00:10:244:%s::/64' "$1"; }
CLUSTER_CIDR6=fd00:10:244::/56
# The clusters that also carry IPv6 (always, so that their IPv4 figures do
# not depend on which paths a run selects).
declare -A DUAL_STACK=([k]=1 [p]=1)
dual_stack() { [[ -n ${DUAL_STACK[$1]:-} ]]; }

new_ns() {
	pl_ns_add "$1" || return 1
	# CRR clients open tens of thousands of connections: the per-namespace
	# port range and TIME_WAIT reuse keep them from running out of ports.
	in_ns "$1" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
}

# segment C: the L2 segment of cluster C; port NAME joins namespace NS as eth0.
create_segment() {
	local seg
	seg=$(cns "$1" seg)
	pl_segment_add "$seg" seg0 # no sockets there: new_ns's port settings are not needed
}

attach_to_segment() {
	local c=$1 ns=$2 port=$3 addr=$4 seg
	seg=$(cns "$c" seg)
	pl_segment_plug "$seg" seg0 "$port" "$ns" "$addr/24"
}

create_node() {
	local c=$1 i=$2 via_router=${3:-0} ns
	ns=$(cns "$c" "n$i")
	new_ns "$ns"
	attach_to_segment "$c" "$ns" "n$i" "$(node_ip "$i")"
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
	if dual_stack "$c"; then
		# nodad: usable at once, as the CNI plugin gives pods theirs.
		ip -n "$ns" addr add "$(node_ip6 "$i")/64" dev eth0 nodad
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
	fi
	((via_router)) && ip -n "$ns" route add default via "$ROUTER_IP" dev eth0
	return 0
}

create_router() {
	local c=$1 ns
	ns=$(cns "$c" rtr)
	new_ns "$ns"
	attach_to_segment "$c" "$ns" r0 "$ROUTER_IP"
	# The router forwards out of the interface it received on: no redirects
	# telling the nodes to go direct, or the path under test would change.
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0
}

# node_config C NAME IP PODCIDR [ROUTER_IP]: podlaned's node file, naming every
# node of the cluster.
# A dual-stack cluster's files also carry nodeIPv6 / clusterCIDRv6 /
# podCIDRv6 (NAME is nodeI there).
node_config() {
	local c=$1 name=$2 ip=$3 cidr=$4 router=${5:-} nodes='[]' j dir v6='{}'
	for ((j = 1; j <= CLUSTER_NODES; j++)); do
		nodes=$(jq -c --arg n "node$j" --arg i "$(node_ip "$j")" --arg p "$(pod_cidr "$j")" \
			--arg i6 "$(dual_stack "$c" && node_ip6 "$j")" --arg p6 "$(dual_stack "$c" && pod_cidr6 "$j")" \
			'. + [{name: $n, nodeIP: $i, podCIDR: $p}
			      + (if $i6 != "" then {nodeIPv6: $i6, podCIDRv6: $p6} else {} end)]' <<<"$nodes")
	done
	if dual_stack "$c"; then
		v6=$(jq -nc --arg i6 "$(node_ip6 "${name#node}")" --arg p6 "$(pod_cidr6 "${name#node}")" \
			--arg cc6 "$CLUSTER_CIDR6" '{nodeIPv6: $i6, podCIDRv6: $p6, clusterCIDRv6: $cc6}')
	fi
	dir=$BENCH_STATE/$c/$name
	mkdir -p "$dir"
	jq -n --arg name "$name" --arg ip "$ip" --arg cidr "$cidr" --arg pin "$BENCH_PIN_ROOT/$c" \
		--arg router "$router" --argjson nodes "$nodes" --argjson v6 "$v6" '
		{nodeName: $name, nodeIP: $ip, uplink: "eth0", bridge: "podlane0", podCIDR: $cidr,
		 clusterCIDR: "10.244.0.0/16", pinRoot: $pin, nodes: $nodes}
		+ $v6
		+ (if $router != "" then {routerIP: $router} else {} end)' >"$dir/node.json"
	printf '%s' "$dir/node.json"
}

# start_agent C NAME NS CONFIG ARGS...: podlaned, waiting for "ready"; records
# the start-up time and the RSS at ready in agents.jsonl.
start_agent() {
	local c=$1 name=$2 ns=$3 config=$4 logfile pid t0 t1 i
	shift 4
	logfile=$BENCH_STATE/logs/podlaned-$c-$name.log
	t0=$(date +%s%N)
	pid=$(spawn "podlaned-$c-$name" "$ns" "$logfile" "$(bin podlaned)" --config "$config" \
		--run-dir "$BENCH_STATE/$c/run" "$@")
	for ((i = 0; i < 3000; i++)); do
		grep -q ready "$logfile" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.005
	done
	t1=$(date +%s%N)
	if ! grep -q ready "$logfile" 2>/dev/null; then
		sed 's/^/    /' "$logfile" >&2
		return 1
	fi
	printf '{"cluster":"%s","agent":"%s","pid":%s,"startup_ms":%s,"at_ready":%s}\n' \
		"$c" "$name" "$pid" "$(((t1 - t0) / 1000))e-3" "$(memory_json "$pid")" >>"$BENCH_STATE/agents.jsonl"
}

# memory_json PID: RSS split into private (anon) and file-backed pages (mostly
# shared libraries' text, shared with every process mapping them), and PSS.
memory_json() {
	local pid=$1
	{
		awk '/^(VmRSS|RssAnon|RssFile|VmHWM):/ {print $1, $2}' "/proc/$pid/status"
		awk '/^Pss:/ {print "Pss:", $2}' "/proc/$pid/smaps_rollup"
	} 2>/dev/null | jq -Rn '[inputs | split(" ") | {(.[0] | rtrimstr(":") | ascii_downcase + "_kb"): (.[1] | tonumber)}] | add // {}'
}

# cni C I POD BINARY CONF: run a CNI plugin for POD on node I as a runtime
# does; prints the result; remembers the pod's IP (and its IPv6, if any).
cni_add() {
	local c=$1 i=$2 pod=$3 plugin=$4 conf=$5 out ip ip6
	new_ns "$pod"
	out=$(CNI_COMMAND=ADD CNI_CONTAINERID="$pod" CNI_NETNS="/run/netns/$pod" CNI_IFNAME=eth0 \
		CNI_PATH="$(dirname "$plugin")" in_ns "$(cns "$c" "n$i")" "$plugin" <<<"$conf") || {
		printf '%s\n' "$out" >&2
		return 1
	}
	ip=$(jq -r '.ips[0].address' <<<"$out")
	ip=${ip%/*}
	[[ $ip =~ ^[0-9.]+$ ]] || {
		printf 'no address in %s\n' "$out" >&2
		return 1
	}
	mkdir -p "$BENCH_STATE/pods"
	printf '%s\n' "$ip" >"$BENCH_STATE/pods/$pod"
	ip6=$(jq -r '[.ips[]?.address | select(contains(":"))][0] // empty' <<<"$out")
	if [[ -n $ip6 ]]; then
		printf '%s\n' "${ip6%/*}" >"$BENCH_STATE/pods/$pod.v6"
	elif dual_stack "$c"; then
		printf 'no IPv6 address in %s\n' "$out" >&2
		return 1
	fi
}
pod_ip() { cat "$BENCH_STATE/pods/$1"; }
pod_ip6() { cat "$BENCH_STATE/pods/$1.v6" 2>/dev/null || true; }

# podlane_pod C I J [plain]: the podlane plugin, registered with the node's
# dataplane, or (plain) as a bare bridge network for the kernel-route paths.
podlane_pod() {
	local c=$1 i=$2 j=$3 plain=${4:-0} conf
	if ((plain)); then
		conf=$(jq -nc --arg cidr "$(pod_cidr "$i")" --arg dd "$BENCH_STATE/$c/ipam/n$i" \
			--arg cidr6 "$(dual_stack "$c" && pod_cidr6 "$i")" '
			{cniVersion: "1.0.0", name: "plain", type: "podlane", podCIDR: $cidr, mtu: 1500, dataDir: $dd}
			+ (if $cidr6 != "" then {podCIDRv6: $cidr6} else {} end)')
	else
		conf=$(jq -nc --arg nc "$BENCH_STATE/$c/node$i/node.json" --arg dd "$BENCH_STATE/$c/ipam/n$i" \
			'{cniVersion: "1.0.0", name: "podlane", type: "podlane", nodeConfig: $nc, dataDir: $dd}')
	fi
	cni_add "$c" "$i" "$(cns "$c" "n${i}p$j")" "$(bin podlane)" "$conf"
}

# reference_pod C I J: Debian's containernetworking-plugins bridge + host-local.
reference_pod() {
	local c=$1 i=$2 j=$3 conf
	conf=$(jq -nc --arg cidr "$(pod_cidr "$i")" --arg gw "10.244.$i.1" --arg dd "$BENCH_STATE/$c/ipam/n$i" '
		{cniVersion: "1.0.0", name: "reference", type: "bridge", bridge: "cni0", isGateway: true,
		 ipMasq: false, mtu: 1500,
		 ipam: {type: "host-local", ranges: [[{subnet: $cidr, gateway: $gw}]],
		        routes: [{dst: "0.0.0.0/0"}], dataDir: $dd}}')
	cni_add "$c" "$i" "$(cns "$c" "n${i}p$j")" "$REFERENCE_CNI_DIR/bridge" "$conf"
}

kernel_routes() {
	local c=$1 i=$2 j
	for ((j = 1; j <= CLUSTER_NODES; j++)); do
		((j == i)) && continue
		ip -n "$(cns "$c" "n$i")" route replace "$(pod_cidr "$j")" via "$(node_ip "$j")" dev eth0
		if dual_stack "$c"; then
			ip -n "$(cns "$c" "n$i")" -6 route replace "$(pod_cidr6 "$j")" via "$(node_ip6 "$j")" dev eth0
		fi
	done
}

# --- clusters ---------------------------------------------------------------
# k: kernel routes ("10.244.2.0/24 via 192.160.1.12"), the flannel host-gw
#    equivalent; also carries node -> node. Dual-stack: the same over IPv6
#    ("fd00:10:244:2::/64 via fd00:192:160:1::12"), the plugin putting the
#    pods' IPv6 gateway fd00:10:244:I::1 on the bridge.
build_kernel() {
	kernel_routed_nodes "$1"
	podlane_pod "$1" 1 1 1 && podlane_pod "$1" 2 1 1
}

# r: the reference bridge + host-local plugins, kernel routes.
build_reference() {
	kernel_routed_nodes "$1"
	reference_pod "$1" 1 1 && reference_pod "$1" 2 1
}

# kernel_routed_nodes C: the segment and the nodes of cluster C, each with a
# kernel route to every other node's pod CIDR.
kernel_routed_nodes() {
	local c=$1 i
	create_segment "$c"
	for ((i = 1; i <= CLUSTER_NODES; i++)); do
		create_node "$c" "$i"
		kernel_routes "$c" "$i"
	done
}

# podlane C [PODLANED ARGS...]: podlaned on every node, no per-node routes.
build_podlane() {
	local c=$1 i cfg
	shift
	create_segment "$c"
	for ((i = 1; i <= CLUSTER_NODES; i++)); do
		create_node "$c" "$i"
		cfg=$(node_config "$c" "node$i" "$(node_ip "$i")" "$(pod_cidr "$i")")
		start_agent "$c" "node$i" "$(cns "$c" "n$i")" "$cfg" "$@" || return 1
	done
	podlane_pod "$c" 1 1 && podlane_pod "$c" 2 1
}

# rk: a kernel router (192.160.1.1) holds the pod routes; nodes route by default
#     through it (the seed's central router).
build_kernel_router() {
	local c=$1 i
	create_segment "$c"
	create_router "$c"
	for ((i = 1; i <= CLUSTER_NODES; i++)); do
		create_node "$c" "$i" 1
		ip -n "$(cns "$c" rtr)" route add "$(pod_cidr "$i")" via "$(node_ip "$i")" dev eth0
	done
	podlane_pod "$c" 1 1 1 && podlane_pod "$c" 2 1 1
}

# rp: the same with podlaned --role router on the router and podlaned on the
#     nodes pointing at it.
build_podlane_router() {
	local c=$1 i cfg
	create_segment "$c"
	create_router "$c"
	cfg=$(node_config "$c" router "$ROUTER_IP" 10.244.255.0/24)
	jq '. + {interfaces: ["eth0"]}' "$cfg" >"$cfg.tmp" && mv "$cfg.tmp" "$cfg"
	# TC: XDP_REDIRECT between veths needs an XDP program on the peer.
	start_agent "$c" router "$(cns "$c" rtr)" "$cfg" --role router --hook tc || return 1
	for ((i = 1; i <= CLUSTER_NODES; i++)); do
		create_node "$c" "$i" 1
		cfg=$(node_config "$c" "node$i" "$(node_ip "$i")" "$(pod_cidr "$i")" "$ROUTER_IP")
		start_agent "$c" "node$i" "$(cns "$c" "n$i")" "$cfg" || return 1
	done
	podlane_pod "$c" 1 1 && podlane_pod "$c" 2 1
}

start_servers() {
	local ns=$1
	spawn "iperf3-$ns" "$ns" "$BENCH_STATE/logs/iperf3-$ns.log" iperf3 -s -p "$IPERF_PORT" >/dev/null
	spawn "rr-$ns" "$ns" "$BENCH_STATE/logs/rr-$ns.log" "${RR_PIN[@]}" "$(bin pl-bench-rr)" serve --port "$RR_PORT" >/dev/null
}
