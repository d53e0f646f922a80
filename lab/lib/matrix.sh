# shellcheck shell=bash
# The connectivity matrix: pod x pod and node x pod, ICMP and TCP, each cell
# tagged with the path that carried it, from the dataplane counters' deltas;
# then the Services block (every node, pod and the outside host -> every
# Service, through kube-proxy's rules) and the Policy block (a FORWARD-chain
# DROP between one pod pair); dual-stack labs end with the IPv6 block (pod x
# pod and node x pod again, ICMPv6 and TCP). Cells are also written to
# $LAB_STATE/matrix/{pods,services,policy,pods6}.tsv for the end-to-end tests.

# Counters of one node as "reason packets" lines (empty without a dataplane).
node_stats() {
	local ns=$1 name=$2
	[[ -d $LAB_PIN_ROOT/$name ]] || return 0
	in_ns "$ns" "$(bin podlanectl)" --node "$name" --pin-root "$LAB_PIN_ROOT" stats -o json 2>/dev/null |
		jq -r '[.. | objects | select(has("packets") and (has("name") or has("reason")))]
		       | .[] | "\(.name // .reason) \(.packets)"' 2>/dev/null || true
}

# Sum of the counters that mean "the dataplane carried it", across the lab:
# prints "R L X D" = forwarded-remote, delivered-local, forwarded-router, drops.
dataplane_totals() {
	[[ $(state_get mode) == kernel-routes ]] && {
		echo "0 0 0 0"
		return
	}
	local i n
	n=$(state_get nodes 0)
	{
		for ((i = 1; i <= n; i++)); do node_stats "$(node_ns "$i")" "$(node_name "$i")"; done
		if ns_exists "$LAB_ROUTER_NS"; then node_stats "$LAB_ROUTER_NS" router; fi
	} | awk '
		$1 == "forwarded-remote" { r += $2 }
		$1 == "delivered-local"  { l += $2 }
		$1 == "forwarded-router" { x += $2 }
		$1 ~ /^drop-/            { d += $2 }
		END { printf "%d %d %d %d\n", r, l, x, d }'
}

# Path label from two totals: which BPF stages saw the probe's packets.
# R = sent by the source node's program straight to the owning node,
# L = delivered by BPF into the destination pod, X = forwarded by the router
# role, krn = neither (the kernel: bridge or routes).
path_label() {
	local -a a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	local label=''
	((b[0] > a[0])) && label+=R
	((b[1] > a[1])) && label+=L
	((b[2] > a[2])) && label+=X
	((b[3] > a[3])) && label+='!'
	printf '%s' "${label:-krn}"
}

probe_icmp() { in_ns "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }
probe_tcp() { in_ns "$1" "$(bin pl-tcp-probe)" connect "$2" "$LAB_TCP_PORT" --timeout-ms 1000 >/dev/null 2>&1; }
probe_icmp6() { in_ns "$1" ping -6 -c 1 -W 1 -q "$2" >/dev/null 2>&1; }
# The pods' pl-tcp-probe serves both families on one port.
probe_tcp6() { probe_tcp "$@"; }

# One cell: retry once (a first packet may wait for ARP on three hops).
probe() {
	local kind=$1 from=$2 to=$3
	"probe_$kind" "$from" "$to" || "probe_$kind" "$from" "$to"
}

# pl-node1-pod2 -> n1-p2, pl-node3 -> node3
short_name() {
	local s=${1#pl-}
	if [[ $s =~ ^node([0-9]+)-pod([0-9]+)$ ]]; then s="n${BASH_REMATCH[1]}-p${BASH_REMATCH[2]}"; fi
	printf '%s' "$s"
}

# pod_matrix_tables FAMILY TSV: the pod x pod and node x pod tables of one
# address family (4: ICMP and TCP, 6: ICMPv6 and TCP over IPv6), over the
# caller's pods, ips (that family's addresses) and sources; cells appended to
# TSV. Sets PM_FAILURES, PM_TOTAL, PM_EXPECTED.
pod_matrix_tables() {
	local family=$1 tsv=$2 kind src d pod before after label cell cw=8 nf tries title
	local -a kinds=(icmp tcp)
	[[ $family == 6 ]] && kinds=(icmp6 tcp6)
	nf=$(netfilter_mode)
	PM_FAILURES=0 PM_TOTAL=0 PM_EXPECTED=0
	for kind in "${kinds[@]}"; do
		case $kind in icmp6) title=ICMPv6 ;; tcp6) title='TCP over IPv6' ;; *) title=${kind^^} ;; esac
		printf '\n%s matrix (rows: from, columns: to)\n' "$title"
		printf '%-16s' ''
		for pod in "${pods[@]}"; do printf "%-${cw}s" "$(short_name "$pod")"; done
		printf '\n'
		for src in "${sources[@]}"; do
			printf '%-16s' "$(short_name "$src")"
			before=$(dataplane_totals)
			for ((d = 0; d < ${#pods[@]}; d++)); do
				if [[ ${pods[d]} == "$src" ]]; then
					printf "%-${cw}s" '  .'
					continue
				fi
				PM_TOTAL=$((PM_TOTAL + 1))
				tries=2
				# Expected to fail (below): one try, not two timeouts.
				[[ $nf == bypass && $src =~ ^pl-node[0-9]+$ && ${pods[d]} != "$src"-* ]] && tries=1
				if [[ -z ${ips[d]} ]]; then
					# Dual-stack, but this pod has no IPv6 address.
					after=$(dataplane_totals)
					cell=FAIL
					PM_FAILURES=$((PM_FAILURES + 1))
				elif "probe_$kind" "$src" "${ips[d]}" || { ((tries > 1)) && "probe_$kind" "$src" "${ips[d]}"; }; then
					after=$(dataplane_totals)
					label=$(path_label "$before" "$after")
					cell="ok:$label"
				elif [[ $nf == bypass && $src =~ ^pl-node[0-9]+$ && ${pods[d]} != "$src"-* ]]; then
					# The request went into the pod by BPF, the reply (to a
					# node address) through the stack: conntrack never saw the
					# request, KUBE-FORWARD drops the reply as INVALID.
					after=$(dataplane_totals)
					cell=xFAIL
					PM_EXPECTED=$((PM_EXPECTED + 1))
				else
					after=$(dataplane_totals)
					cell=FAIL
					PM_FAILURES=$((PM_FAILURES + 1))
				fi
				before=$after
				printf "%-${cw}s" "$cell"
				printf '%s\t%s\t%s\t%s\n' "$kind" "$(short_name "$src")" "$(short_name "${pods[d]}")" "$cell" >>"$tsv"
			done
			printf '\n'
		done
	done
}

# counter_deltas START END: the dataplane counters' movement, one line.
counter_deltas() {
	local -a s e
	read -r -a s <<<"$1"
	read -r -a e <<<"$2"
	printf 'Dataplane counter deltas over the matrix: forwarded-remote +%d, delivered-local +%d, forwarded-router +%d, drops +%d\n' \
		$((e[0] - s[0])) $((e[1] - s[1])) $((e[2] - s[2])) $((e[3] - s[3]))
}

# run_matrix: prints the tables; fails when any cell failed.
run_matrix() {
	local -a pods ips ips6 sources
	local pod i ip ip6
	while read -r pod i ip ip6; do
		pods+=("$pod")
		ips+=("$ip")
		ips6+=("$ip6")
	done < <(list_pods)
	((${#pods[@]})) || die "the lab has no pods (run: podlane-lab up)"
	local n
	n=$(state_get nodes 0)
	for ((i = 1; i <= n; i++)); do sources+=("$(node_ns "$i")"); done
	sources+=("${pods[@]}")

	local failures=0 total=0 expected=0
	local start_totals end_totals
	mkdir -p "$LAB_STATE/matrix"
	: >"$LAB_STATE/matrix/pods.tsv"
	rm -f "$LAB_STATE/matrix/pods6.tsv"
	if ! lab_ipv4; then
		printf '
IPv6-only: pods have no IPv4 address, so no IPv4, Services or Policy block (the nodes keep their
'
		printf 'IPv4 segment address as a management network; podlane is given none).
'
		run_ipv6_block
		return
	fi
	start_totals=$(dataplane_totals)
	pod_matrix_tables 4 "$LAB_STATE/matrix/pods.tsv"
	failures=$PM_FAILURES total=$PM_TOTAL expected=$PM_EXPECTED
	end_totals=$(dataplane_totals)
	printf '\nPaths: R = BPF redirect out of the sending node toward the owning node, L = BPF delivery into\n'
	printf 'the destination pod, X = BPF forwarding on the router, krn = kernel only (same-node bridge or\n'
	printf 'kernel routes), ! = a BPF drop counter moved. A cell is retried once before it counts as FAIL.\n'
	if [[ $(netfilter_mode) == compat ]]; then
		printf 'netfilter compat: a flow'"'"'s first packets and all ICMP go through the kernel stack of both nodes;\n'
		printf 'cross-node ICMP shows R (the stack routes it to podlane_host, whose program sends it to the owning\n'
		printf 'node) and no L (the kernel bridge delivers it); TCP shows RL: the server'"'"'s answer and the close\n'
		printf 'travel once conntrack holds the flow established, in BPF.\n'
	fi
	counter_deltas "$start_totals" "$end_totals"
	((expected)) && printf 'xFAIL = failed as expected with --netfilter bypass: a node'"'"'s request to another node'"'"'s pod is\ndelivered by BPF past conntrack, its reply goes through the stack and KUBE-FORWARD drops it as INVALID.\n'
	if ((failures)); then
		printf 'MATRIX: %d of %d cells FAILED\n' "$failures" "$total"
	else
		printf 'MATRIX: all %d cells passed%s\n' "$((total - expected))" "$( ((expected)) && printf ' (%d more failed as expected)' "$expected")"
	fi
	local blocks=0
	run_services_block || blocks=1
	run_policy_block || blocks=1
	if lab_ipv6; then
		run_ipv6_block || blocks=1
	fi
	((failures == 0 && blocks == 0))
}

# run_ipv6_block: dual-stack and IPv6-only labs: the pod x pod and node x pod tables again
# over IPv6 (ping -6, TCP to each pod's IPv6 listener), paths as for IPv4;
# cells in $LAB_STATE/matrix/pods6.tsv. Fails when any cell failed.
run_ipv6_block() {
	local -a ips=("${ips6[@]}")
	local start_totals end_totals
	printf '\nIPv6 (%s: nodes %s::1N on the segment, pods in fd00:10:244:N::/64)\n' \
		"$(lab_ipv4 && printf dual-stack || printf IPv6-only)" "$LAB_SEG_PREFIX6"
	: >"$LAB_STATE/matrix/pods6.tsv"
	start_totals=$(dataplane_totals)
	pod_matrix_tables 6 "$LAB_STATE/matrix/pods6.tsv"
	end_totals=$(dataplane_totals)
	printf '\nPaths and retries as for IPv4 (the same dataplane counters count both families).\n'
	counter_deltas "$start_totals" "$end_totals"
	((PM_EXPECTED)) && printf 'xFAIL: as for IPv4 with --netfilter bypass.\n'
	printf 'The Services and Policy blocks are IPv4 only: the lab has no IPv6 Service or policy rule (its kube-proxy\n'
	printf 'writes only KUBE-FORWARD for IPv6, which also makes each node track IPv6 flows in conntrack).\n'
	if ((PM_FAILURES)); then
		printf 'MATRIX IPv6: %d of %d cells FAILED\n' "$PM_FAILURES" "$PM_TOTAL"
		return 1
	fi
	printf 'MATRIX IPv6: all %d cells passed%s\n' "$((PM_TOTAL - PM_EXPECTED))" \
		"$( ((PM_EXPECTED)) && printf ' (%d more failed as expected)' "$PM_EXPECTED")"
}

# Who enforces Services and policy: kernel (kernel-routes: no BPF), compat
# (podlaned leaves new and translated flows to netfilter), bypass (podlaned
# redirects past netfilter: Services and policy are not expected to work).
netfilter_mode() {
	if [[ $(state_get mode) == kernel-routes ]]; then
		printf kernel
	else
		state_get netfilter compat
	fi
}

# svc_probe SRC IP PORT PROTO: the answering backend's name, or fail.
svc_probe() {
	local udp=()
	[[ $4 == udp ]] && udp=(--udp)
	in_ns "$1" "$(bin pl-tcp-probe)" connect "$2" "$3" "${udp[@]}" --timeout-ms 1000 2>/dev/null
}

# svc_cell SRC IP PORT PROTO BACKENDS: probe until every backend (pods,
# comma-separated) has answered once (kube-proxy picks one at random per
# connection), at most 16 tries and 2 failures (1 with --netfilter bypass,
# where failures are expected). Prints "answered/backends".
svc_cell() {
	local src=$1 ip=$2 port=$3 proto=$4 backends=$5 name tries fails=0 want max_fails=2
	[[ $(netfilter_mode) == bypass ]] && max_fails=1
	local -A seen=()
	want=$(tr ',' '\n' <<<"$backends" | wc -l)
	for ((tries = 0; tries < 16 && ${#seen[@]} < want && fails < max_fails; tries++)); do
		if name=$(svc_probe "$src" "$ip" "$port" "$proto"); then
			[[ ,$backends, == *",$name,"* ]] && seen[$name]=1
		else
			fails=$((fails + 1))
		fi
	done
	printf '%s/%s' "${#seen[@]}" "$want"
}

# run_services_block: rows every node, every pod and the outside host; columns
# each Service's ClusterIP and each node's NodePort. A cell passes when every
# backend answered; "hp" marks the hairpin cells (the source is one of the
# Service's backends, so it must reach itself through its own Service).
run_services_block() {
	local nf entry svc_name svc_proto svc_ip svc_port svc_target svc_nodeport svc_backends
	local -a sources cols
	local pod i ip n src col cell res target port proto backends short name cw=12 failures=0 total=0
	nf=$(netfilter_mode)
	n=$(state_get nodes 0)
	for ((i = 1; i <= n; i++)); do sources+=("$(node_ns "$i")"); done
	while read -r pod i ip _; do sources+=("$pod"); done < <(list_pods)
	ns_exists "$LAB_EXT_NS" && sources+=("$LAB_EXT_NS")
	# Columns as "LABEL IP PORT PROTO BACKENDS".
	for entry in "${LAB_SERVICES[@]}"; do
		svc_fields "$entry"
		name=${svc_name#*/}
		cols+=("${name%%:*}:$svc_port $svc_ip $svc_port $svc_proto $svc_backends")
	done
	for entry in "${LAB_SERVICES[@]}"; do
		svc_fields "$entry"
		[[ $svc_nodeport == - ]] && continue
		for ((i = 1; i <= n; i++)); do
			cols+=("np@n$i $(node_ip "$i") $svc_nodeport $svc_proto $svc_backends")
		done
	done
	mkdir -p "$LAB_STATE/matrix"
	: >"$LAB_STATE/matrix/services.tsv"
	printf '\nSERVICES (rows: from, columns: Service ClusterIP:port or NodePort on a node; netfilter: %s)\n' "$nf"
	printf '%-16s' ''
	for col in "${cols[@]}"; do printf "%-${cw}s" "${col%% *}"; done
	printf '\n'
	for src in "${sources[@]}"; do
		short=$(short_name "$src")
		printf '%-16s' "$short"
		for col in "${cols[@]}"; do
			read -r _ target port proto backends <<<"$col"
			if [[ $src == "$LAB_EXT_NS" && $target == 10.96.* ]]; then
				# Outside the cluster: ClusterIPs are not routed there.
				printf "%-${cw}s" '  -'
				printf '%s\t%s\t%s\n' "$short" "${col%% *}" na >>"$LAB_STATE/matrix/services.tsv"
				continue
			fi
			total=$((total + 1))
			res=$(svc_cell "$src" "$target" "$port" "$proto" "$backends")
			if [[ ${res%/*} == "${res#*/}" ]]; then
				cell=ok
				[[ ,$backends, == *",$src,"* ]] && cell=ok:hp
			else
				cell="FAIL$res"
				failures=$((failures + 1))
			fi
			printf "%-${cw}s" "$cell"
			printf '%s\t%s\t%s\n' "$short" "${col%% *}" "$cell" >>"$LAB_STATE/matrix/services.tsv"
		done
		printf '\n'
	done
	printf 'Services: '
	for entry in "${LAB_SERVICES[@]}"; do
		svc_fields "$entry"
		printf '%s %s %s:%s -> %s:%s%s; ' "$svc_name" "$svc_proto" "$svc_ip" "$svc_port" "${svc_backends//,/+}" "$svc_target" \
			"$([[ $svc_nodeport != - ]] && printf ', NodePort %s' "$svc_nodeport")"
	done
	printf '\nA cell is ok when every backend answered (kube-proxy picks one at random: up to 16 tries, 2 failures\n'
	printf 'end it); FAILa/b = a of b backends answered. hp = hairpin: a backend reached itself through its\n'
	printf 'own Service (kube-proxy masquerades it). %s = the outside host on the segment (NodePorts only).\n' "$(short_name "$LAB_EXT_NS")"
	printf 'KUBE-FORWARD INVALID drops so far (iptables -v):'
	for ((i = 1; i <= n; i++)); do printf ' %s %s' "$(node_name "$i")" "$(invalid_drops "$i")"; done
	printf '\n'
	block_verdict SERVICES "$nf" "$failures" "$total"
}

# block_verdict NAME NETFILTER FAILURES TOTAL: with --netfilter bypass the
# dataplane leaves Services and policy to others, so failed cells are shown
# but expected (the end-to-end test asserts exactly which).
block_verdict() {
	local name=$1 nf=$2 failures=$3 total=$4
	if ((failures == 0)); then
		printf '%s: all %d cells passed\n' "$name" "$total"
	elif [[ $nf == bypass ]]; then
		printf '%s: %d of %d cells failed, expected with --netfilter bypass (redirects skip netfilter)\n' "$name" "$failures" "$total"
		return 0
	else
		printf '%s: %d of %d cells FAILED\n' "$name" "$failures" "$total"
		return 1
	fi
}

# run_policy_block: the NetworkPolicy stand-in denies new connections from
# LAB_POLICY_FROM to LAB_POLICY_TO on every node; pod x pod, ICMP and TCP:
# that pair must fail, every other pair still pass. The rule is removed after.
run_policy_block() {
	local nf pod i ip kind src d cell short cw=8 failures=0 total=0 denied
	local -a pods ips
	nf=$(netfilter_mode)
	[[ -f $LAB_STATE/pods/$LAB_POLICY_FROM && -f $LAB_STATE/pods/$LAB_POLICY_TO ]] || {
		printf '\nPOLICY: skipped (%s or %s is not in the lab)\n' "$LAB_POLICY_FROM" "$LAB_POLICY_TO"
		return 0
	}
	while read -r pod i ip _; do
		pods+=("$pod")
		ips+=("$ip")
	done < <(list_pods)
	mkdir -p "$LAB_STATE/matrix"
	: >"$LAB_STATE/matrix/policy.tsv"
	install_policy
	printf '\nPOLICY: filter FORWARD on every node, after KUBE-FORWARD: %s (netfilter: %s)\n' \
		"$(policy_rule_args | tr '\n' ' ' | sed 's/-m comment.*-j/-j/')" "$nf"
	for kind in icmp tcp; do
		printf '%s (rows: from, columns: to)\n%-16s' "${kind^^}" ''
		for pod in "${pods[@]}"; do printf "%-${cw}s" "$(short_name "$pod")"; done
		printf '\n'
		for src in "${pods[@]}"; do
			short=$(short_name "$src")
			printf '%-16s' "$short"
			for ((d = 0; d < ${#pods[@]}; d++)); do
				if [[ ${pods[d]} == "$src" ]]; then
					printf "%-${cw}s" '  .'
					continue
				fi
				total=$((total + 1))
				denied=0
				[[ $src == "$LAB_POLICY_FROM" && ${pods[d]} == "$LAB_POLICY_TO" ]] && denied=1
				if ((denied)); then
					# One try: a denied cell costs its timeout once.
					if "probe_$kind" "$src" "${ips[d]}"; then
						cell=LEAK
						failures=$((failures + 1))
					else
						cell=deny
					fi
				elif probe "$kind" "$src" "${ips[d]}"; then
					cell=ok
				else
					cell=FAIL
					failures=$((failures + 1))
				fi
				printf "%-${cw}s" "$cell"
				printf '%s\t%s\t%s\t%s\n' "$kind" "$short" "$(short_name "${pods[d]}")" "$cell" >>"$LAB_STATE/matrix/policy.tsv"
			done
			printf '\n'
		done
	done
	remove_policy
	printf 'deny = the denied pair'"'"'s new connection was dropped, as it must be; LEAK = it passed.\n'
	block_verdict POLICY "$nf" "$failures" "$total"
}
