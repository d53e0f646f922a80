# shellcheck shell=bash
# shellcheck disable=SC2034
# What kube-proxy's iptables mode writes on a node, for the benchmark's one
# TCP ClusterIP: nat PREROUTING/OUTPUT -> KUBE-SERVICES -> KUBE-SVC-* ->
# KUBE-SEP-* DNAT to the server pod on node 2, the KUBE-MARK-MASQ /
# KUBE-POSTROUTING masquerade chain, and filter FORWARD -> KUBE-FORWARD with
# `-m conntrack --ctstate INVALID -j DROP` first. Installed on every node of
# every cluster (what a real Kubernetes node has): the conntrack rules also
# make the node namespace's conntrack track its traffic, which podlane's
# netfilter-compatible fast path (the default) looks flows up in.
#
# Dual-stack clusters also get what kube-proxy writes with ip6tables when the
# service is IPv4-only: its chains and jumps without a service, so the IPv6
# FORWARD path has the same INVALID drop and conntrack users (a rule using
# conntrack registers the hooks of its own family only: without these the
# node's conntrack would track no IPv6 flow at all).
#
# Chain names are kube-proxy's shape (KUBE-SVC-<16 base32 chars>) but fixed:
# the benchmark has one service with one endpoint, so nothing to hash.

SERVICE_CIDR=10.96.0.0/12
SERVICE_IP=10.96.0.10
KP_MASQ_MARK=0x4000
KP_SVC=KUBE-SVC-PLBENCHRRSERVICE0
KP_SEP=KUBE-SEP-PLBENCHRRENDPOINT

# The filter table and the nat table's masquerade plumbing, as kube-proxy
# writes them for each family.
kube_proxy_filter_table() {
	cat <<RULES
*filter
:KUBE-FORWARD - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark $KP_MASQ_MARK/$KP_MASQ_MARK -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
RULES
}

# kube_proxy_nat_chains EXTRA_CHAIN...: the nat table's chains and masquerade
# rules; the caller adds its Service rules and the nodeports rule, then COMMIT.
kube_proxy_nat_chains() {
	local chain
	printf '*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n'
	for chain in "$@"; do printf ':%s - [0:0]\n' "$chain"; done
	cat <<RULES
-A KUBE-MARK-MASQ -j MARK --or-mark $KP_MASQ_MARK
-A KUBE-POSTROUTING -m mark ! --mark $KP_MASQ_MARK/$KP_MASQ_MARK -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark $KP_MASQ_MARK
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
RULES
}

KP_NODEPORTS_RULE='-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS'

# kube_proxy_ruleset BACKEND_IP PORT: what kube-proxy restores (--noflush),
# its own chains only; the jumps from the built-in chains come after.
kube_proxy_ruleset() {
	local backend=$1 port=$2
	kube_proxy_filter_table
	kube_proxy_nat_chains "$KP_SVC" "$KP_SEP"
	cat <<RULES
-A KUBE-SERVICES -d $SERVICE_IP/32 -p tcp -m comment --comment "bench/rr cluster IP" -m tcp --dport $port -j $KP_SVC
-A $KP_SVC ! -s 10.244.0.0/16 -d $SERVICE_IP/32 -p tcp -m comment --comment "bench/rr cluster IP" -m tcp --dport $port -j KUBE-MARK-MASQ
-A $KP_SVC -m comment --comment "bench/rr -> $backend:$port" -j $KP_SEP
-A $KP_SEP -s $backend/32 -m comment --comment "bench/rr" -j KUBE-MARK-MASQ
-A $KP_SEP -p tcp -m comment --comment "bench/rr" -m tcp -j DNAT --to-destination $backend:$port
$KP_NODEPORTS_RULE
COMMIT
RULES
}

# kube_proxy_ruleset6: the ip6tables side of an IPv4-only service.
kube_proxy_ruleset6() {
	kube_proxy_filter_table
	kube_proxy_nat_chains
	printf '%s\nCOMMIT\n' "$KP_NODEPORTS_RULE"
}

# kube_proxy_jumps NS IPTABLES: the jumps from the built-in chains.
kube_proxy_jumps() {
	local ns=$1 ipt=$2
	# kube-proxy inserts each jump first (-C, else -I): KUBE-FORWARD ends up at the top.
	in_ns "$ns" "$ipt" -w -t nat -I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
	in_ns "$ns" "$ipt" -w -t nat -I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
	in_ns "$ns" "$ipt" -w -t nat -I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
	in_ns "$ns" "$ipt" -w -t filter -I FORWARD -m conntrack --ctstate NEW -m comment \
		--comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
	in_ns "$ns" "$ipt" -w -t filter -I FORWARD -m conntrack --ctstate NEW -m comment \
		--comment "kubernetes service portals" -j KUBE-SERVICES
	in_ns "$ns" "$ipt" -w -t filter -I FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
	in_ns "$ns" "$ipt" -w -t filter -I INPUT -m conntrack --ctstate NEW -m comment \
		--comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
	in_ns "$ns" "$ipt" -w -t filter -I INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
}

# install_kube_proxy C: the rules on every node of cluster C, the service's
# endpoint being pod 1 of node 2 (the RR server); plus the route to the
# service CIDR a node without a default route needs for its own traffic (the
# pods' packets are DNATed in PREROUTING, before the route lookup).
install_kube_proxy() {
	local c=$1 i ns backend
	backend=$(pod_ip "$(cns "$c" n2p1)")
	for ((i = 1; i <= CLUSTER_NODES; i++)); do
		ns=$(cns "$c" "n$i")
		in_ns "$ns" iptables-restore -w --noflush <(kube_proxy_ruleset "$backend" "$RR_PORT")
		kube_proxy_jumps "$ns" iptables
		if dual_stack "$c"; then
			in_ns "$ns" ip6tables-restore -w --noflush <(kube_proxy_ruleset6)
			kube_proxy_jumps "$ns" ip6tables
		fi
		ip -n "$ns" -4 route show default | grep -q . || ip -n "$ns" route replace "$SERVICE_CIDR" dev eth0
	done
}

# invalid_drops C: packets kube-proxy's INVALID rule dropped on C's nodes
# (both families on a dual-stack cluster).
invalid_drops() {
	local c=$1 i n total=0 ipt ipts=(iptables)
	dual_stack "$c" && ipts+=(ip6tables)
	for ((i = 1; i <= CLUSTER_NODES; i++)); do
		for ipt in "${ipts[@]}"; do
			n=$(in_ns "$(cns "$c" "n$i")" "$ipt" -w -t filter -L KUBE-FORWARD -v -x -n 2>/dev/null |
				awk '/ctstate INVALID/ && $3 == "DROP" {print $1; exit}')
			total=$((total + ${n:-0}))
		done
	done
	printf '%s' "$total"
}
