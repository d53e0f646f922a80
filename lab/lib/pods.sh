# shellcheck shell=bash
# Pods: a namespace each, wired by executing the podlane CNI plugin exactly as
# a container runtime does (CNI_* environment, the network config on stdin,
# run in the node's network namespace).

conflist_path() { printf '%s/config/%s/10-podlane.conflist' "$LAB_STATE" "$(node_name "$1")"; }
ipam_dir() { printf '%s/ipam/%s' "$LAB_STATE" "$(node_name "$1")"; }

write_conflist() {
	local i=$1
	mkdir -p "$(ipam_dir "$i")" "$LAB_STATE/config/$(node_name "$i")"
	# No pinRoot: the node file gives the plugin the agent's pin directory
	# (its pinRoot/nodeName), one source of truth.
	"$LAB_DIR/node/gen-conflist.sh" --node-config "$(cni_node_config_path "$i")" \
		--data-dir "$(ipam_dir "$i")" | atomic_write "$(conflist_path "$i")"
}

# What a runtime hands one plugin of a conflist: the plugin's entry plus the
# list's cniVersion and name.
plugin_netconf() {
	jq -c '.plugins[0] + {cniVersion: .cniVersion, name: .name}' "$(conflist_path "$1")"
}

# cni_exec I POD COMMAND [PREV_RESULT_FILE]: run the plugin for POD on node I.
cni_exec() {
	local i=$1 pod=$2 cmd=$3 prev=${4-} conf
	conf=$(plugin_netconf "$i")
	if [[ -n $prev && -s $prev ]]; then
		conf=$(jq -c --slurpfile p "$prev" '. + {prevResult: $p[0]}' <<<"$conf")
	fi
	CNI_COMMAND=$cmd CNI_CONTAINERID=$pod CNI_NETNS=/run/netns/$pod CNI_IFNAME=eth0 \
		CNI_PATH=$(dirname "$(bin podlane)") \
		in_ns "$(node_ns "$i")" "$(bin podlane)" <<<"$conf"
}

# add_pod I J: create pod J on node I; remember its IP.
add_pod() {
	local i=$1 j=$2 pod out rc=0 ip ip6=''
	pod=$(pod_ns "$i" "$j")
	pl_ns_add "$pod"
	mkdir -p "$LAB_STATE/pods"
	if [[ -x $(bin podlane) ]]; then
		out=$(cni_exec "$i" "$pod" ADD) || rc=$?
	else
		out=$(wire_pod_without_cni "$i" "$j") || rc=$?
	fi
	if ((rc != 0)); then
		printf '%s\n' "$out" >&2
		die "CNI ADD for $pod failed (exit $rc)"
	fi
	printf '%s\n' "$out" >"$LAB_STATE/pods/$pod.result.json"
	ip=$(jq -r '[.ips[].address | select(contains(":") | not)][0] // ""' <<<"$out")
	ip=${ip%/*}
	if lab_ipv4; then
		[[ $ip =~ ^[0-9.]+$ ]] || die "CNI ADD for $pod returned no address: $out"
	else
		# IPv6-only: "-" stands for the IPv4 address it must not have.
		[[ -z $ip ]] || die "CNI ADD for $pod gave an IPv6-only pod IPv4 address $ip: $out"
		ip=-
	fi
	if lab_ipv6; then
		# Without one a dual-stack pod still joins: its IPv6 cells fail.
		ip6=$(pod_ip6_from_ns "$pod" "$out") ||
			warn "CNI ADD for $pod gave it no usable IPv6 address in $(node_pod_cidr6 "$i"): result $(jq -c .ips <<<"$out"); in the pod: $(ip -n "$pod" -6 -o addr show dev eth0 2>&1 | awk '{print $4, $NF}' | paste -sd ' ' -)"
		lab_ipv4 || [[ -n $ip6 ]] || die "CNI ADD for $pod gave the IPv6-only pod no usable IPv6 address"
	fi
	printf '%s %s%s\n' "$i" "$ip" "${ip6:+ $ip6}" >"$LAB_STATE/pods/$pod"
	if [[ $(state_get uplink_hook) == xdp || $(state_get router_hook) == xdp ]]; then
		# XDP on a veth loses the partial-checksum state of TCP/UDP, and
		# XDP_REDIRECT into a veth needs NAPI (GRO) on the pod side.
		in_ns "$pod" ethtool -K eth0 tx off gro on >/dev/null 2>&1 ||
			warn "ethtool -K eth0 tx off gro on failed in $pod"
	fi
	start_pod_server "$pod"
	log "pod $pod on $(node_name "$i"): $ip${ip6:+ $ip6}"
}

# pod_ip6_from_ns POD CNI_RESULT: the pod's global IPv6 address, once usable
# (DAD done, up to 3 s), read back from the pod's eth0; the result's IPv6
# address names which when the pod holds several. Fails when it has none.
pod_ip6_from_ns() {
	local pod=$1 out=$2 want addrs k a
	want=$(jq -r '[.ips[]?.address | select(contains(":"))][0] // "" | sub("/.*"; "")' <<<"$out" 2>/dev/null || true)
	for ((k = 0; k < 30; k++)); do
		addrs=$(ip -n "$pod" -6 -o addr show dev eth0 scope global 2>/dev/null | awk '{print $4}')
		if [[ -n $addrs ]] && [[ -z $(ip -n "$pod" -6 -o addr show dev eth0 scope global tentative 2>/dev/null) ]]; then
			for a in $addrs; do
				a=${a%/*}
				if [[ -z $want || $a == "$want" ]]; then
					printf '%s' "$a"
					return 0
				fi
			done
		fi
		sleep 0.1
	done
	return 1
}

# Stand-in for the plugin in kernel-routes mode only, until cni/ builds:
# bridge, veth, address, default route; prints a CNI-like result.
wire_pod_without_cni() {
	local i=$1 j=$2 ns pod host addr
	ns=$(node_ns "$i")
	pod=$(pod_ns "$i" "$j")
	host=plv${i}p${j}
	addr=10.244.$i.$((10 + j))
	if ! ip -n "$ns" link show podlane0 >/dev/null 2>&1; then
		ip -n "$ns" link add podlane0 type bridge
		ip -n "$ns" addr add "$(node_gateway "$i")/24" dev podlane0
		ip -n "$ns" link set podlane0 up
	fi
	ip -n "$ns" link add "$host" type veth peer name eth0 netns "$pod"
	ip -n "$ns" link set "$host" master podlane0 up
	# As the plugin does: a pod reaches itself through its own Service.
	ip -n "$ns" link set "$host" type bridge_slave hairpin on
	ip -n "$pod" addr add "$addr/24" dev eth0
	ip -n "$pod" link set eth0 up
	ip -n "$pod" route add default via "$(node_gateway "$i")"
	if lab_ipv6; then
		local addr6=fd00:10:244:$i::$((10 + j))
		ip -n "$ns" -6 addr replace "$(node_gateway6 "$i")/64" dev podlane0 nodad
		ip -n "$pod" -6 addr add "$addr6/64" dev eth0 nodad
		ip -n "$pod" -6 route add default via "$(node_gateway6 "$i")"
		printf '{"cniVersion":"1.0.0","ips":[{"address":"%s/24"},{"address":"%s/64"}]}\n' "$addr" "$addr6"
		return
	fi
	printf '{"cniVersion":"1.0.0","ips":[{"address":"%s/24"}]}\n' "$addr"
}

# del_pod POD: CNI DEL, then the namespace goes.
del_pod() {
	local pod=$1 i
	[[ -f $LAB_STATE/pods/$pod ]] || die "no pod $pod in the lab"
	read -r i _ <"$LAB_STATE/pods/$pod"
	lab_kill "probe-$pod"
	cni_exec "$i" "$pod" DEL "$LAB_STATE/pods/$pod.result.json" >/dev/null ||
		die "CNI DEL for $pod failed"
	ip netns del "$pod" 2>/dev/null || true
	rm -f "$LAB_STATE/pods/$pod" "$LAB_STATE/pods/$pod.result.json"
}

# start_pod_server POD: pl-tcp-probe, TCP and UDP, IPv4 and IPv6 (one
# dual-stack socket each).
start_pod_server() {
	local pod=$1
	mkdir -p "$LAB_STATE/logs"
	lab_spawn "probe-$pod" "$pod" "$LAB_STATE/logs/probe-$pod.log" \
		"$(bin pl-tcp-probe)" serve --port "$LAB_TCP_PORT" --udp-port "$LAB_UDP_PORT" --name "$pod" >/dev/null
}

# Pods of the lab as "POD NODE_INDEX IP [IPV6]" lines, in node then pod order.
list_pods() {
	local f pod i ip ip6
	[[ -d $LAB_STATE/pods ]] || return 0
	for f in "$LAB_STATE"/pods/*; do
		[[ -f $f && $f != *.json ]] || continue
		pod=${f##*/}
		read -r i ip ip6 <"$f"
		printf '%s %s %s%s\n' "$pod" "$i" "$ip" "${ip6:+ $ip6}"
	done | sort -V
}

pod_ip() { awk '{print $2}' "$LAB_STATE/pods/$1"; }
pod_ip6() { awk '{print $3}' "$LAB_STATE/pods/$1"; }
