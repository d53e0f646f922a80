# shellcheck shell=bash
# The connectivity matrix: pod x pod and node x pod, ICMP and TCP, each cell
# tagged with the path that carried it, from the dataplane counters' deltas.

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

# run_matrix: prints the tables; fails when any cell failed.
run_matrix() {
	local -a pods ips sources
	local pod i ip
	while read -r pod i ip; do
		pods+=("$pod")
		ips+=("$ip")
	done < <(list_pods)
	((${#pods[@]})) || die "the lab has no pods (run: podlane-lab up)"
	local n
	n=$(state_get nodes 0)
	for ((i = 1; i <= n; i++)); do sources+=("$(node_ns "$i")"); done
	sources+=("${pods[@]}")

	local failures=0 kind src d before after label cell cw=8 total=0
	local start_totals end_totals
	start_totals=$(dataplane_totals)
	for kind in icmp tcp; do
		printf '\n%s matrix (rows: from, columns: to)\n' "${kind^^}"
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
				total=$((total + 1))
				if probe "$kind" "$src" "${ips[d]}"; then
					after=$(dataplane_totals)
					label=$(path_label "$before" "$after")
					cell="ok:$label"
				else
					after=$(dataplane_totals)
					cell=FAIL
					failures=$((failures + 1))
				fi
				before=$after
				printf "%-${cw}s" "$cell"
			done
			printf '\n'
		done
	done
	end_totals=$(dataplane_totals)
	printf '\nPaths: R = BPF redirect out of the sending node toward the owning node, L = BPF delivery into\n'
	printf 'the destination pod, X = BPF forwarding on the router, krn = kernel only (same-node bridge or\n'
	printf 'kernel routes), ! = a BPF drop counter moved. A cell is retried once before it counts as FAIL.\n'
	local -a s e
	read -r -a s <<<"$start_totals"
	read -r -a e <<<"$end_totals"
	printf 'Dataplane counter deltas over the matrix: forwarded-remote +%d, delivered-local +%d, forwarded-router +%d, drops +%d\n' \
		$((e[0] - s[0])) $((e[1] - s[1])) $((e[2] - s[2])) $((e[3] - s[3]))
	if ((failures)); then
		printf 'MATRIX: %d of %d cells FAILED\n' "$failures" "$total"
	else
		printf 'MATRIX: all %d cells passed\n' "$total"
	fi
	((failures == 0))
}
