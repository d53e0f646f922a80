# shellcheck shell=bash
# One measurement of one path, appended as a JSON line to samples.jsonl:
#   {"path","metric","round","value", ...raw fields}
# A path is "ID CLIENT_NS SERVER_IP" (see run-bench). A run that fails is
# recorded with "error" and no value, never silently dropped.

sample() { printf '%s\n' "$1" >>"$BENCH_STATE/samples.jsonl"; }

# iperf PATH_ID CLIENT IP STREAMS SECONDS ROUND: bulk TCP; the 1-stream run
# also yields CPU per gigabit (system + softirq of the whole machine, from
# /proc/stat, over the run).
measure_iperf() {
	local id=$1 client=$2 ip=$3 streams=$4 secs=$5 round=$6 out c0 c1 hz metric
	metric=tcp$streams
	hz=$(getconf CLK_TCK)
	c0=$(cpu_sys_softirq)
	out=$(in_ns "$client" timeout $((secs + 20)) iperf3 -c "$ip" -p "$IPERF_PORT" -t "$secs" -P "$streams" -J \
		--connect-timeout 3000 2>&1) || true
	c1=$(cpu_sys_softirq)
	if ! jq -e '.end.sum_received.bits_per_second' <<<"$out" >/dev/null 2>&1; then
		sample "$(jq -nc --arg p "$id" --arg m "$metric" --argjson r "$round" \
			--arg e "$(jq -r '.error // empty' <<<"$out" 2>/dev/null || printf '%s' "${out:0:200}")" \
			'{path: $p, metric: $m, round: $r, error: $e}')"
		return 0
	fi
	jq -c --arg p "$id" --arg m "$metric" --argjson r "$round" --argjson cpu "$((c1 - c0))" --argjson hz "$hz" '
		.end.sum_received as $s
		| {path: $p, metric: $m, round: $r, value: ($s.bits_per_second / 1e9), unit: "Gbit/s",
		   bytes: $s.bytes, seconds: $s.seconds,
		   retransmits: (.end.sum_sent.retransmits // null),
		   cpu_sys_softirq_s: ($cpu / $hz),
		   cpu_s_per_gbit: (($cpu / $hz) / ($s.bytes * 8 / 1e9))}' <<<"$out" >>"$BENCH_STATE/samples.jsonl"
}

# rr|crr PATH_ID CLIENT IP SECONDS ROUND. Client and server run on the same
# CPU (RR_PIN): every transaction then runs start to end on it, and the figure
# is the path's cost instead of cross-CPU wake-ups, which make latency bimodal
# on 2 vCPUs (see bench/router/run.sh).
measure_rr() {
	local mode=$1 id=$2 client=$3 ip=$4 secs=$5 round=$6 out
	out=$(in_ns "$client" timeout $((secs + 20)) "${RR_PIN[@]}" "$(bin pl-bench-rr)" "$mode" --host "$ip" --port "$RR_PORT" \
		--seconds "$secs" 2>&1) || true
	if ! jq -e . <<<"$out" >/dev/null 2>&1; then
		sample "$(jq -nc --arg p "$id" --arg m "$mode" --argjson r "$round" --arg e "${out:0:200}" \
			'{path: $p, metric: $m, round: $r, error: $e}')"
		return 0
	fi
	jq -c --arg p "$id" --argjson r "$round" '
		{path: $p, metric: .mode, round: $r,
		 value: (if .mode == "rr" then .tps else .cps end),
		 unit: (if .mode == "rr" then "transactions/s" else "connections/s" end)} + .' <<<"$out" \
		>>"$BENCH_STATE/samples.jsonl"
}

# Reachability before measuring: a path that does not carry traffic is marked
# unavailable with the reason instead of producing zeros.
path_works() {
	local client=$1 ip=$2
	in_ns "$client" timeout 5 "$(bin pl-bench-rr)" rr --host "$ip" --port "$RR_PORT" --seconds 0.2 >/dev/null 2>&1
}
