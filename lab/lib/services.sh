# shellcheck shell=bash
# Constants here are used by matrix.sh and podlane-lab:
# shellcheck disable=SC2034
# Kubernetes Services and a NetworkPolicy-like rule, the way the cluster's own
# netfilter users write them: the rule shapes of kube-proxy's iptables mode
# (nat KUBE-SERVICES -> KUBE-SVC-* -> KUBE-SEP-* DNAT, KUBE-MARK-MASQ /
# KUBE-POSTROUTING masquerade, KUBE-NODEPORTS, filter KUBE-FORWARD with its
# INVALID drop) in every node's namespace, and an outside host on the segment
# for the NodePort. Written with the iptables commands, as kube-proxy does
# (iptables-restore --noflush for its own chains, -C/-I for the jumps).

LAB_SERVICE_CIDR=10.96.0.0/12
# name proto clusterIP port targetPort nodePort backends (pods, comma-separated)
LAB_SERVICES=(
	"default/web:http tcp 10.96.0.10 8080 $LAB_TCP_PORT 30080 pl-node1-pod1,pl-node2-pod1"
	"kube-system/kube-dns:dns udp 10.96.0.53 53 53 - pl-node2-pod2,pl-node3-pod1"
)
LAB_UDP_PORT=53
LAB_MASQ_MARK=0x4000/0x4000
# The outside host: a namespace on the segment that is no node.
LAB_EXT_NS=pl-ext
LAB_EXT_IP=192.160.1.100
LAB_EXT_IP6=fd00:192:160:1::100
# The NetworkPolicy stand-in: new connections from the first pod to the second
# are dropped in filter FORWARD on every node.
LAB_POLICY_FROM=pl-node1-pod1
LAB_POLICY_TO=pl-node2-pod1
LAB_POLICY_CHAIN=PL-LAB-POLICY

# kube-proxy's chain names: 16 characters of base32(sha256(...)).
kp_hash() {
	local hex
	hex=$(printf '%s' "$1" | sha256sum | cut -c1-64)
	printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")" | base32 -w0 | cut -c1-16
}

# The service fields of LAB_SERVICES entry $1 into the caller's variables.
svc_fields() {
	# shellcheck disable=SC2162
	read svc_name svc_proto svc_ip svc_port svc_target svc_nodeport svc_backends <<<"$1"
}

# A service's backends that exist in the lab, as "POD IP" lines.
svc_endpoints() {
	local pods=$1 pod
	for pod in ${pods//,/ }; do
		[[ -f $LAB_STATE/pods/$pod ]] && printf '%s %s\n' "$pod" "$(pod_ip "$pod")"
	done
	return 0
}

# What kube-proxy's iptables mode restores (the chains it owns), for the
# lab's services; the base chains first, as kube-proxy writes them.
kube_proxy_ruleset() {
	local entry svc_name svc_proto svc_ip svc_port svc_target svc_nodeport svc_backends
	local svc ext n i pod ip sep
	local -a eps
	printf '*filter\n'
	printf ':KUBE-FORWARD - [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-EXTERNAL-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n'
	printf '%s\n' \
		'-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP' \
		"-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark $LAB_MASQ_MARK -j ACCEPT" \
		'-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
	printf 'COMMIT\n*nat\n'
	printf ':KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n'
	for entry in "${LAB_SERVICES[@]}"; do
		svc_fields "$entry"
		printf ':KUBE-SVC-%s - [0:0]\n' "$(kp_hash "$svc_name$svc_proto")"
		[[ $svc_nodeport != - ]] && printf ':KUBE-EXT-%s - [0:0]\n' "$(kp_hash "$svc_name$svc_proto")"
		while read -r pod ip; do
			printf ':KUBE-SEP-%s - [0:0]\n' "$(kp_hash "$svc_name$svc_proto$ip:$svc_target")"
		done < <(svc_endpoints "$svc_backends")
	done
	printf '%s\n' \
		"-A KUBE-MARK-MASQ -j MARK --or-mark ${LAB_MASQ_MARK%/*}" \
		"-A KUBE-POSTROUTING -m mark ! --mark $LAB_MASQ_MARK -j RETURN" \
		"-A KUBE-POSTROUTING -j MARK --xor-mark ${LAB_MASQ_MARK%/*}" \
		'-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully'
	for entry in "${LAB_SERVICES[@]}"; do
		svc_fields "$entry"
		svc=KUBE-SVC-$(kp_hash "$svc_name$svc_proto")
		ext=KUBE-EXT-$(kp_hash "$svc_name$svc_proto")
		printf -- '-A KUBE-SERVICES -d %s/32 -p %s -m comment --comment "%s cluster IP" -m %s --dport %s -j %s\n' \
			"$svc_ip" "$svc_proto" "$svc_name" "$svc_proto" "$svc_port" "$svc"
		if [[ $svc_nodeport != - ]]; then
			printf -- '-A KUBE-NODEPORTS -p %s -m comment --comment "%s" -m %s --dport %s -j %s\n' \
				"$svc_proto" "$svc_name" "$svc_proto" "$svc_nodeport" "$ext"
			printf -- '-A %s -m comment --comment "masquerade traffic for %s external destinations" -j KUBE-MARK-MASQ\n' \
				"$ext" "$svc_name"
			printf -- '-A %s -j %s\n' "$ext" "$svc"
		fi
		printf -- '-A %s ! -s %s -d %s/32 -p %s -m comment --comment "%s cluster IP" -m %s --dport %s -j KUBE-MARK-MASQ\n' \
			"$svc" "$LAB_CLUSTER_CIDR" "$svc_ip" "$svc_proto" "$svc_name" "$svc_proto" "$svc_port"
		mapfile -t eps < <(svc_endpoints "$svc_backends")
		n=${#eps[@]}
		for ((i = 0; i < n; i++)); do
			read -r pod ip <<<"${eps[i]}"
			sep=KUBE-SEP-$(kp_hash "$svc_name$svc_proto$ip:$svc_target")
			# kube-proxy: endpoint i of n is taken with probability 1/(n-i),
			# the last one unconditionally.
			if ((i < n - 1)); then
				printf -- '-A %s -m comment --comment "%s -> %s:%s" -m statistic --mode random --probability %s -j %s\n' \
					"$svc" "$svc_name" "$ip" "$svc_target" "$(awk -v k=$((n - i)) 'BEGIN { printf "%.11f", 1 / k }')" "$sep"
			else
				printf -- '-A %s -m comment --comment "%s -> %s:%s" -j %s\n' "$svc" "$svc_name" "$ip" "$svc_target" "$sep"
			fi
			printf -- '-A %s -s %s/32 -m comment --comment "%s" -j KUBE-MARK-MASQ\n' "$sep" "$ip" "$svc_name"
			printf -- '-A %s -p %s -m comment --comment "%s" -m %s -j DNAT --to-destination %s:%s\n' \
				"$sep" "$svc_proto" "$svc_name" "$svc_proto" "$ip" "$svc_target"
		done
	done
	printf -- '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n'
	printf 'COMMIT\n'
}

# ensure_jump NS TABLE CHAIN RULE...: kube-proxy's "-C, else -I" for the jumps
# from the built-in chains.
ensure_jump() {
	local ns=$1 table=$2 chain=$3
	shift 3
	in_ns "$ns" iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null ||
		in_ns "$ns" iptables -w -t "$table" -I "$chain" "$@"
}

# install_kube_proxy I: node I's nat and filter rules for the lab's services
# (again after pods change: the chains are rewritten whole), and the route to
# the service CIDR a node without a default route needs for its own traffic.
install_kube_proxy() {
	local i=$1 ns
	ns=$(node_ns "$i")
	# IPv6-only: pods have no IPv4, so no IPv4 Service has a backend.
	if ! lab_ipv4; then
		install_kube_proxy6 "$i"
		return
	fi
	kube_proxy_ruleset | in_ns "$ns" iptables-restore -w --noflush ||
		die "iptables-restore of the kube-proxy rules failed on $(node_name "$i")"
	ensure_jump "$ns" nat PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
	ensure_jump "$ns" nat OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
	ensure_jump "$ns" nat POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
	# Each jump is inserted first: KUBE-FORWARD ends up at the top, as on a node.
	ensure_jump "$ns" filter FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
	ensure_jump "$ns" filter FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
	ensure_jump "$ns" filter FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
	ensure_jump "$ns" filter INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
	ensure_jump "$ns" filter INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
	if ! in_ns "$ns" ip -4 route show default | grep -q .; then
		in_ns "$ns" ip route replace "$LAB_SERVICE_CIDR" dev "$(node_uplink "$i")"
	fi
	if lab_ipv6; then install_kube_proxy6 "$i"; fi
}

# install_kube_proxy6 I: dual-stack kube-proxy writes ip6tables for the IPv6
# family too; the lab has no IPv6 Service, so only its filter KUBE-FORWARD.
# It matters beyond the rules: with a conntrack rule in ip6tables the node's
# netns tracks IPv6 flows, which podlaned's netfilter-compatible mode needs to
# see them established (without it every IPv6 packet is "pass-flow-new" and
# takes the kernel path).
install_kube_proxy6() {
	local ns
	ns=$(node_ns "$1")
	printf '%s\n' '*filter' ':KUBE-FORWARD - [0:0]' \
		'-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP' \
		"-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark $LAB_MASQ_MARK -j ACCEPT" \
		'-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' \
		'COMMIT' | in_ns "$ns" ip6tables-restore -w --noflush ||
		die "ip6tables-restore of kube-proxy's IPv6 rules failed on $(node_name "$1")"
	in_ns "$ns" ip6tables -w -C FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD 2>/dev/null ||
		in_ns "$ns" ip6tables -w -I FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
}

install_all_kube_proxy() {
	local n i
	n=$(state_get nodes 0)
	for ((i = 1; i <= n; i++)); do install_kube_proxy "$i"; done
	log "kube-proxy rules (iptables mode shapes) installed on $n nodes"
}

# The outside host: on the segment, no route to pods or services; it reaches
# NodePorts on the nodes' addresses.
create_outside_host() {
	pl_ns_add "$LAB_EXT_NS"
	attach_to_segment "$LAB_EXT_NS" x0 "$LAB_EXT_IP"
	lab_ipv6 && add_segment_ip6 "$LAB_EXT_NS" "$LAB_EXT_IP6"
	if [[ $(state_get uplink_hook) == xdp || $(state_get router_hook) == xdp ]]; then
		in_ns "$LAB_EXT_NS" ethtool -K eth0 tx off >/dev/null 2>&1 || warn "ethtool -K eth0 tx off failed in $LAB_EXT_NS"
	fi
}

# The policy rule (as iptables-based NetworkPolicy engines write it: their own
# chain jumped to from filter FORWARD after kube-proxy's KUBE-FORWARD, so
# replies of allowed flows are accepted before it and it sees new flows).
policy_rule_args() {
	printf '%s\n' -s "$(pod_ip "$LAB_POLICY_FROM")/32" -d "$(pod_ip "$LAB_POLICY_TO")/32" \
		-m comment --comment "lab policy: deny $LAB_POLICY_FROM -> $LAB_POLICY_TO" -j DROP
}

install_policy() {
	local n i ns args
	mapfile -t args < <(policy_rule_args)
	n=$(state_get nodes 0)
	for ((i = 1; i <= n; i++)); do
		ns=$(node_ns "$i")
		in_ns "$ns" iptables -w -N "$LAB_POLICY_CHAIN" 2>/dev/null || in_ns "$ns" iptables -w -F "$LAB_POLICY_CHAIN"
		in_ns "$ns" iptables -w -A "$LAB_POLICY_CHAIN" "${args[@]}"
		in_ns "$ns" iptables -w -C FORWARD -j "$LAB_POLICY_CHAIN" 2>/dev/null ||
			in_ns "$ns" iptables -w -A FORWARD -j "$LAB_POLICY_CHAIN"
	done
}

remove_policy() {
	local n i ns
	n=$(state_get nodes 0)
	for ((i = 1; i <= n; i++)); do
		ns=$(node_ns "$i")
		ns_exists "$ns" || continue
		in_ns "$ns" iptables -w -D FORWARD -j "$LAB_POLICY_CHAIN" 2>/dev/null || true
		in_ns "$ns" iptables -w -F "$LAB_POLICY_CHAIN" 2>/dev/null || true
		in_ns "$ns" iptables -w -X "$LAB_POLICY_CHAIN" 2>/dev/null || true
	done
}

# Packets dropped by KUBE-FORWARD's INVALID rule on node I (iptables -v).
invalid_drops() {
	in_ns "$(node_ns "$1")" iptables -w -t filter -L KUBE-FORWARD -v -n -x 2>/dev/null |
		awk '$3 == "DROP" && /ctstate INVALID/ { p += $1 } END { print p + 0 }'
}
