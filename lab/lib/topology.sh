# shellcheck shell=bash
# Namespaces, links and agents of the lab. Everything is created inside
# namespaces named pl-*; the machine's own namespace is never touched.

# The shared L2 segment: a namespace holding one bridge that joins the nodes'
# uplinks (and the router's, in router mode).
create_segment() { pl_segment_add "$LAB_SEG_NS" "$LAB_SEG_BRIDGE"; }

# attach_to_segment NS PORT IP: a veth whose segment side is PORT on the
# segment bridge and whose other side is eth0 (IP/24) in NS.
attach_to_segment() { pl_segment_plug "$LAB_SEG_NS" "$LAB_SEG_BRIDGE" "$2" "$1" "$3/24"; }

create_node() {
	local i=$1 ns
	ns=$(node_ns "$i")
	pl_ns_add "$ns"
	attach_to_segment "$ns" "n$i" "$(node_ip "$i")"
	# A Kubernetes node forwards: the kernel path (kernel-routes mode, and
	# what the dataplane passes to the kernel) needs it.
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
	if lab_ipv6; then
		# IPv6 forwarding too (podlaned sets it as well; kernel-routes mode
		# needs it), no router advertisements taken on the uplink.
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
		add_segment_ip6 "$ns" "$(node_ip6 "$i")"
	fi
	if [[ $(state_get mode) == router ]]; then
		ip -n "$ns" route add default via "$LAB_ROUTER_IP" dev eth0
	fi
}

# add_segment_ip6 NS IP6: NS's eth0 also gets IP6/64 on the segment, usable at
# once (nodad), and ignores router advertisements.
add_segment_ip6() {
	in_ns "$1" sysctl -qw net.ipv6.conf.eth0.accept_ra=0
	ip -n "$1" -6 addr add "$2/64" dev eth0 nodad
}

create_router() {
	pl_ns_add "$LAB_ROUTER_NS"
	# A new namespace copies the host's setting; the router forwards in BPF
	# only, so the kernel must not (and the e2e tests check it does not).
	in_ns "$LAB_ROUTER_NS" sysctl -qw net.ipv4.ip_forward=0
	attach_to_segment "$LAB_ROUTER_NS" r0 "$LAB_ROUTER_IP"
}

# The cluster as --node arguments of gen-node-config.sh.
cluster_node_args() {
	local n=$1 j
	for ((j = 1; j <= n; j++)); do
		if lab_ipv4; then
			printf -- '--node\n%s,%s,%s' "$(node_name "$j")" "$(node_ip "$j")" "$(node_pod_cidr "$j")"
		else
			printf -- '--node\n%s,,' "$(node_name "$j")"
		fi
		lab_ipv6 && printf ',%s,%s' "$(node_ip6 "$j")" "$(node_pod_cidr6 "$j")"
		printf '\n'
	done
}

# write_node_config I N: (re)write node I's file naming N nodes, atomically
# (podlaned watches the folder and reloads on rename).
write_node_config() {
	local i=$1 n=$2 args=()
	if [[ $(state_get datastore) != etcd ]]; then
		mapfile -t args < <(cluster_node_args "$n")
		lab_ipv4 && args+=(--pod-cidr "$(node_pod_cidr "$i")")
	fi
	lab_ipv4 && args+=(--ip "$(node_ip "$i")")
	if [[ $(state_get mode) == router ]]; then args+=(--router-ip "$LAB_ROUTER_IP"); fi
	# Dual-stack: with etcd a node claims its IPv6 /64 as it claims its
	# IPv4 /24; the file datastore names it.
	if lab_ipv6; then
		args+=(--ip6 "$(node_ip6 "$i")" --cluster-cidr6 "$LAB_CLUSTER_CIDR6")
		[[ $(state_get datastore) == etcd ]] || args+=(--pod-cidr6 "$(node_pod_cidr6 "$i")")
	fi
	mkdir -p "$LAB_STATE/config/$(node_name "$i")"
	"$LAB_DIR/node/gen-node-config.sh" --name "$(node_name "$i")" \
		--cluster-cidr "$LAB_CLUSTER_CIDR" \
		--pin-root "$LAB_PIN_ROOT" "${args[@]}" | atomic_write "$(node_config_path "$i")"
}
node_config_path() { printf '%s/config/%s/node.json' "$LAB_STATE" "$(node_name "$1")"; }
# What the CNI plugin reads: the node file itself, or with a datastore the
# file podlane-resolve-node completed with the claimed pod CIDR.
cni_node_config_path() {
	if [[ $(state_get datastore) == etcd ]]; then
		printf '%s/config/%s/node.resolved.json' "$LAB_STATE" "$(node_name "$1")"
	else
		node_config_path "$1"
	fi
}

datastore_args() {
	[[ $(state_get datastore) == etcd ]] && printf '%s\n' --datastore etcd --etcd-endpoints "$LAB_ETCD_URL"
	return 0
}

# --datastore etcd: etcd in the segment's namespace on a segment address.
start_etcd() {
	local logfile=$LAB_STATE/logs/etcd.log i
	mkdir -p "$LAB_STATE/logs" "$LAB_STATE/etcd"
	ip -n "$LAB_SEG_NS" addr add "$LAB_ETCD_IP/24" dev "$LAB_SEG_BRIDGE"
	# The agents reach etcd over IPv4; dual-stack gives the segment's
	# address its IPv6 twin all the same.
	lab_ipv6 && ip -n "$LAB_SEG_NS" -6 addr add "$LAB_ETCD_IP6/64" dev "$LAB_SEG_BRIDGE" nodad
	lab_spawn etcd "$LAB_SEG_NS" "$logfile" etcd --name lab --data-dir "$LAB_STATE/etcd" \
		--listen-client-urls "$LAB_ETCD_URL" --advertise-client-urls "$LAB_ETCD_URL" \
		--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster lab=http://127.0.0.1:2380 >/dev/null
	for ((i = 0; i < 150; i++)); do
		in_ns "$LAB_SEG_NS" curl -sf --max-time 1 "$LAB_ETCD_URL/health" >/dev/null 2>&1 && {
			log "etcd ready at $LAB_ETCD_URL (pid $(recorded_pid_alive etcd))"
			return 0
		}
		recorded_pid_alive etcd >/dev/null || break
		sleep 0.1
	done
	sed 's/^/    /' "$logfile" >&2 || true
	die "etcd did not become ready (log: $logfile)"
}

# resolve_node I: write the CNI plugin's node file from what node I claimed.
resolve_node() {
	local i=$1
	in_ns "$(node_ns "$i")" "$(bin podlane-resolve-node)" --config "$(node_config_path "$i")" \
		--out "$(cni_node_config_path "$i")" --datastore etcd --etcd-endpoints "$LAB_ETCD_URL" \
		>>"$LAB_STATE/logs/resolve-$(node_name "$i").log" 2>&1 ||
		die "podlane-resolve-node failed on $(node_name "$i") (log: $LAB_STATE/logs/resolve-$(node_name "$i").log)"
}

# write_router_config N: the router's file naming N nodes; with etcd it names
# none (podlaned --role router watches the nodes there).
write_router_config() {
	local n=$1 args=()
	[[ $(state_get datastore) != etcd ]] && mapfile -t args < <(cluster_node_args "$n")
	mkdir -p "$LAB_STATE/config/router"
	"$LAB_DIR/node/gen-node-config.sh" --name router --ip "$LAB_ROUTER_IP" \
		--pod-cidr 10.244.255.0/24 --cluster-cidr "$LAB_CLUSTER_CIDR" \
		--pin-root "$LAB_PIN_ROOT" "${args[@]}" | atomic_write "$LAB_STATE/config/router/node.json"
}

# kernel-routes mode: the seed's "10.244.M.0/24 via 192.160.1.1M" on every
# node (dual-stack: also "fd00:10:244:M::/64 via fd00:192:160:1::1M"); the
# plugin creates the bridge (kernel_routes_bridge6 gives it its IPv6 gateway).
kernel_routes_for_node() {
	local i=$1 n=$2 j
	for ((j = 1; j <= n; j++)); do
		((j == i)) && continue
		if lab_ipv4; then
			ip -n "$(node_ns "$i")" route replace "$(node_pod_cidr "$j")" via "$(node_ip "$j")" dev eth0
		fi
		if lab_ipv6; then
			ip -n "$(node_ns "$i")" -6 route replace "$(node_pod_cidr6 "$j")" via "$(node_ip6 "$j")" dev eth0
		fi
	done
}

# kernel-routes mode, dual-stack: the bridge's IPv6 gateway, as podlaned sets
# it in the BPF modes (no agent runs here). Idempotent.
kernel_routes_bridge6() {
	local i=$1 ns
	ns=$(node_ns "$i")
	ip -n "$ns" link show podlane0 >/dev/null 2>&1 || return 0
	ip -n "$ns" -6 addr replace "$(node_gateway6 "$i")/64" dev podlane0 nodad
}

podlaned_args() {
	local args=()
	local hook attach
	hook=$(state_get uplink_hook)
	attach=$(state_get attach)
	[[ -n $hook ]] && args+=(--uplink-hook "$hook")
	[[ -n $attach ]] && args+=(--attach "$attach")
	local netfilter
	netfilter=$(state_get netfilter_flag)
	[[ -n $netfilter ]] && args+=(--netfilter "$netfilter")
	local ds
	mapfile -t ds < <(datastore_args)
	args+=("${ds[@]}")
	args+=(--run-dir "$LAB_STATE/agent")
	printf '%s\n' "${args[@]}"
}

# start_podlaned I: run the agent in node I's namespace, wait for "ready".
start_podlaned() {
	local i=$1 name logfile args=()
	name=$(node_name "$i")
	logfile=$LAB_STATE/logs/podlaned-$name.log
	mkdir -p "$LAB_STATE/logs"
	# A restart waits for its own "ready", not the previous run's.
	[[ -f $logfile ]] && mv -f "$logfile" "$logfile.prev"
	mapfile -t args < <(podlaned_args)
	lab_spawn "podlaned-$name" "$(node_ns "$i")" "$logfile" \
		"$(bin podlaned)" --config "$(node_config_path "$i")" --ipam-dir "$(ipam_dir "$i")/podlane" \
		"${args[@]}" >/dev/null
	if ! wait_for_log "podlaned-$name" "$logfile" ready 30; then
		sed 's/^/    /' "$logfile" >&2 || true
		die "podlaned on $name did not become ready (log: $logfile)"
	fi
	log "podlaned on $name ready (pid $(recorded_pid_alive "podlaned-$name"))"
}

start_router_agent() {
	local logfile=$LAB_STATE/logs/podlaned-router.log args=()
	mkdir -p "$LAB_STATE/logs"
	local hook ds
	hook=$(state_get router_hook)
	[[ -n $hook ]] && args+=(--hook "$hook")
	mapfile -t ds < <(datastore_args)
	args+=("${ds[@]}")
	if [[ $hook == xdp ]]; then
		# XDP_TX out of a veth reaches the peer only when the peer runs NAPI:
		# an XDP program that passes everything on the segment side of the
		# router's link gives it that (GRO on is not enough on this kernel).
		local clang obj=$LAB_STATE/router_peer_pass.o
		clang=$(command -v clang-14 || command -v clang) || die "clang is needed for --router-hook xdp"
		"$clang" -target bpf -O2 -idirafter "/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)" \
			-c "$REPO_DIR/tests/netns/router_peer_pass.bpf.c" -o "$obj"
		ip -n "$LAB_SEG_NS" link set dev r0 xdp obj "$obj" sec xdp
	fi
	lab_spawn podlaned-router "$LAB_ROUTER_NS" "$logfile" \
		"$(bin podlaned)" --role router --config "$LAB_STATE/config/router/node.json" \
		--run-dir "$LAB_STATE/agent" "${args[@]}" >/dev/null
	if ! wait_for_log podlaned-router "$logfile" ready 30; then
		sed 's/^/    /' "$logfile" >&2 || true
		die "podlaned --role router did not become ready (log: $logfile)"
	fi
	log "podlaned router ready"
}

# detach_node I: podlaned --detach for node I (best effort).
detach_node() {
	local i=$1 cfg
	cfg=$(node_config_path "$i")
	[[ -f $cfg ]] || return 0
	local exe
	exe=$(bin podlaned 2>/dev/null) || return 0
	[[ -x $exe ]] || return 0
	ns_exists "$(node_ns "$i")" || return 0
	in_ns "$(node_ns "$i")" timeout 20 "$exe" --config "$cfg" --detach \
		--run-dir "$LAB_STATE/agent" >>"$LAB_STATE/logs/detach.log" 2>&1 ||
		warn "podlaned --detach on $(node_name "$i") failed (see $LAB_STATE/logs/detach.log)"
}

