#!/usr/bin/env bash
# End-to-end tests on the three-node namespace lab (issue 6). Each case brings
# the lab up with lab/podlane-lab, checks one behaviour and tears the lab down
# on every exit path (trap), also when a check fails.
#
#   lab_e2e.sh BUILD_DIR CASE [LAB-UP-OPTIONS...]
#
# Cases: matrix (the matrix passes in the mode given by the options, its
# Services and Policy blocks included, cell by cell; in the BPF modes no node
# holds a kernel route to another node's pod CIDR), detached, pod-delete,
# node-removal, restart, join, node-view, spoof. With --ip-family dual the
# matrix case also asserts the IPv6 block (pod x pod, node x pod, ICMPv6 and
# TCP), the nodes' and pods' IPv6 addresses, the node files' IPv6 fields and,
# in the BPF modes, the IPv6 routes map instead of kernel routes. With
# --ip-family ipv6 it asserts the same IPv6 block and that nothing of IPv4
# reached podlane or the pods (no Services or Policy block then).
# Exit 77 (skipped) without root or without the built binaries.
set -euo pipefail

build=$(readlink -m "${1:?build dir}")
case_name=${2:?case}
shift 2
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib/netns.sh
source "$repo/scripts/lib/netns.sh"
lab=$repo/lab/podlane-lab
pins=/sys/fs/bpf/podlane-lab
state=/run/podlane-lab

[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root"; exit 77; }
for b in loader/podlaned cni/podlane maps-cli/podlanectl tests/tools/pl-tcp-probe; do
    [[ -x $build/$b ]] || { echo "SKIP: $build/$b is not built"; exit 77; }
done

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# Processes this test starts itself (iperf3), killed by PID on exit.
own_pids=()
teardown() {
    local rc=$? pid
    for pid in "${own_pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    if ((rc != 0)) && [[ -d $state/logs ]]; then
        echo "--- lab logs (tail) ---" >&2
        tail -n 15 "$state"/logs/podlaned-*.log >&2 2> /dev/null || true
    fi
    "$lab" down > /dev/null 2>&1 || echo "warning: podlane-lab down failed" >&2
    if ip netns list | grep -qE '^pl-'; then echo "FAIL: lab namespaces left behind" >&2; rc=1; fi
    exit "$rc"
}
trap teardown EXIT INT TERM HUP

up() { "$lab" up --no-build --build-dir "$build" "$@"; }
in_ns() { pl_in_ns "$@"; }
ctl() { local n=$1; shift; in_ns "pl-$n" "$build/maps-cli/podlanectl" --pin-root "$pins" --node "$n" "$@"; }
counter() { ctl "$1" stats -o json | jq -r --arg r "$2" '[.reasons[] | select(.reason == $r) | .packets] | add // 0'; }
pod_ip() { awk '{print $2}' "$state/pods/$1"; }
# /metrics of a node's (or the router's) podlaned, as Prometheus scrapes it:
# HTTP on port 9965 of the agent's namespace; the body only.
scrape() {
    in_ns "pl-$1" bash -c 'exec 3<> /dev/tcp/127.0.0.1/9965 && printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3' |
        tr -d '\r' | sed '1,/^$/d'
}
# One sample's value from a scrape on stdin: sample NAME{LABELS} (exactly as exposed).
sample() { awk -v m="$1" '$1 == m {print $2; found = 1} END {exit !found}'; }
ping_ok() { in_ns "$1" ping -c 1 -W 1 -q "$2" > /dev/null 2>&1; }
tcp_ok() { in_ns "$1" "$build/tests/tools/pl-tcp-probe" connect "$2" 7777 --timeout-ms 1000 > /dev/null 2>&1; }
now_ns() { date +%s%N; }
eventually() { pl_eventually "$@"; }

# No node holds a kernel route to another node's pod CIDR (nor the router).
assert_no_pod_routes() {
    local i routes
    for i in 1 2 3; do
        routes=$(ip -n "pl-node$i" -4 route show)
        # Allowed: the node's own pod CIDR on podlane0 and the one aggregate
        # cluster route on podlane_host. Not allowed: a per-node pod route.
        if grep -E '^10\.244\.[0-9]+\.0/24' <<< "$routes" | grep -v 'dev podlane0 proto kernel'; then
            fail "node$i has a kernel route to another node's pod CIDR: $routes"
        fi
    done
    if ip netns list | grep -q '^pl-router'; then
        routes=$(ip -n pl-router -4 route show)
        grep -q '^10\.244\.' <<< "$routes" && fail "the router holds kernel routes to pod CIDRs: $routes"
        [[ $(in_ns pl-router sysctl -n net.ipv4.ip_forward) == 0 ]] || fail "ip_forward is on in the router"
    fi
    ok "no kernel routes to other nodes' pod CIDRs"
}

# The netfilter mode the lab ran the nodes in: kernel (kernel-routes), compat
# or bypass.
lab_netfilter() {
    if [[ $(cat "$state/mode") == kernel-routes ]]; then echo kernel; else cat "$state/netfilter"; fi
}

# With --netfilter bypass, the Services cells that still pass, as "FROM
# COLUMN" (matrix.sh's short names); every other cell fails. A cell that
# changes either way fails the test, so a dataplane change is noticed. Why:
# - pods -> ClusterIPs: BPF delivers the backend's reply to the client pod
#   (same node or across nodes) before conntrack can undo the DNAT;
# - nodes -> web and NodePorts: a backend on another node gets the request by
#   BPF (its node's conntrack never saw it) and its reply, to a node address,
#   through that node's stack, where KUBE-FORWARD drops it as INVALID;
# - nodes -> kube-dns (UDP) pass: a UDP reply with no entry is NEW, not INVALID.
BYPASS_SERVICE_PASSES='
node1 kube-dns:53
node2 kube-dns:53
node3 kube-dns:53
'

# The Services and Policy blocks of the matrix `up` just printed, cell by cell
# (from $state/matrix/*.tsv).
assert_service_blocks() {
    local nf svc pol bad hp
    nf=$(lab_netfilter)
    svc=$state/matrix/services.tsv
    pol=$state/matrix/policy.tsv
    [[ -s $svc && -s $pol ]] || fail "the matrix wrote no Services/Policy cells ($svc, $pol)"
    if [[ $nf == bypass ]]; then
        bad=$(diff <(awk -F'\t' '$3 ~ /^ok/ { print $1, $2 }' "$svc" | sort) \
            <(grep -v '^$' <<< "$BYPASS_SERVICE_PASSES" | sort)) ||
            fail "with --netfilter bypass the Services cells that pass are not the expected ones (< passes now, > expected):
$bad"
        ok "netfilter bypass: exactly the expected Services cells pass (nodes -> the UDP ClusterIP), the other $(awk -F'\t' '$3 ~ /^FAIL/' "$svc" | wc -l) fail"
        bad=$(awk -F'\t' '($2 ~ /^node/ && $3 !~ "^n" substr($2, 5) "-") ? $4 != "xFAIL" : $4 !~ /^ok/' "$state/matrix/pods.tsv")
        [[ -z $bad ]] || fail "with --netfilter bypass the pod matrix differs from: nodes -> other nodes' pods xFAIL (reply dropped as INVALID), the rest ok: $bad"
        ok "netfilter bypass: nodes do not reach other nodes' pods (ICMP, TCP: the reply is INVALID to conntrack), every other pod-matrix cell passes"
        bad=$(awk -F'\t' '($2 == "n1-p1" && $3 == "n2-p1") ? $4 != "LEAK" : $4 != "ok"' "$pol")
        [[ -z $bad ]] || fail "with --netfilter bypass the Policy block differs from: denied pair LEAKs, others ok: $bad"
        ok "netfilter bypass: the FORWARD-chain DROP is ignored (n1-p1 -> n2-p1 LEAKs, ICMP and TCP), every other pair passes"
        return 0
    fi
    # The outside host reaches every NodePort; outside the cluster, no ClusterIP is probed.
    bad=$(awk -F'\t' '$1 == "ext" && $2 ~ /^np@/ && $3 != "ok"' "$svc")
    [[ -z $bad ]] || fail "the outside host does not reach a NodePort: $bad"
    bad=$(awk -F'\t' '$3 !~ /^(ok|ok:hp|na)$/' "$svc")
    [[ -z $bad ]] || fail "Services cells failed (netfilter $nf):
$bad"
    # Hairpin: each Service's backends reached themselves through it.
    hp=$(awk -F'\t' '$3 == "ok:hp" && $2 !~ /^np@/' "$svc" | wc -l)
    ((hp == 4)) || fail "expected 4 hairpin cells (2 backends x 2 Services), got $hp"
    ok "Services ($nf): every node and pod reaches both ClusterIPs (TCP, UDP) with every backend answering, the 4 backends through their own Service (hairpin), the outside host every NodePort"
    bad=$(awk -F'\t' '($2 == "n1-p1" && $3 == "n2-p1") ? $4 != "deny" : $4 != "ok"' "$pol")
    [[ -z $bad ]] || fail "Policy cells (netfilter $nf) differ from: n1-p1 -> n2-p1 denied, others ok: $bad"
    [[ $(awk -F'\t' '$4 == "deny"' "$pol" | wc -l) == 2 ]] || fail "the denied pair is not in the Policy block (ICMP and TCP)"
    ok "Policy ($nf): new ICMP and TCP from n1-p1 to n2-p1 dropped by the FORWARD rule, the 58 other cells pass"
    local i drops
    for i in 1 2 3; do
        drops=$(in_ns "pl-node$i" iptables -w -L KUBE-FORWARD -v -n -x | awk '$3 == "DROP" && /INVALID/ { print $1 }')
        echo "MEASURED: node$i KUBE-FORWARD ctstate INVALID drops after the matrix: ${drops:-?}"
        [[ $drops == 0 ]] || fail "node$i dropped ${drops:-?} packets as conntrack INVALID during the matrix"
    done
    ok "no packet dropped as conntrack INVALID on any node"
}

# Dual-stack (--ip-family dual): what the IPv6 block of the matrix and the
# lab's files show.
assert_dual_stack() {
    local bpf=$1 etcd=$2 family=${3:-dual} i j pod ip6 f bad n6 cells drops cidr6 claimed6=()
    [[ $(cat "$state/ip_family") == "$family" ]] || fail "the lab did not record ip family $family"
    for i in 1 2 3; do
        in_ns "pl-node$i" ip -6 -o addr show dev eth0 scope global | grep -q " fd00:192:160:1::1$i/64 " ||
            fail "node$i's uplink has no fd00:192:160:1::1$i/64"
        [[ $(in_ns "pl-node$i" sysctl -n net.ipv6.conf.all.forwarding) == 1 ]] || fail "node$i does not forward IPv6"
        # The node's IPv6 pod CIDR: its file's, or with etcd the /64 it
        # claimed (podlane-resolve-node wrote it for the CNI plugin).
        f=$state/config/node$i/node.json
        cidr6=fd00:10:244:$i::/64
        if ((etcd)); then
            cidr6=$(jq -r '.podCIDRv6 // ""' "$state/config/node$i/node.resolved.json")
            [[ $cidr6 =~ ^fd00:10:244:([0-9a-f]{1,2}:)?:/64$ ]] ||
                fail "node$i claimed no IPv6 /64 in fd00:10:244::/56 (resolved file: '$cidr6')"
            claimed6+=("$cidr6")
        fi
        for j in 1 2; do
            pod=pl-node$i-pod$j
            ip6=$(awk '{print $3}' "$state/pods/$pod")
            [[ $ip6 == "${cidr6%/64}"* && $ip6 != "${cidr6%/64}" ]] ||
                fail "$pod has no IPv6 address in $cidr6 (recorded: '${ip6}')"
            in_ns "$pod" ip -6 route show default | grep -q "via ${cidr6%/64}1 " ||
                fail "$pod has no IPv6 default route via ${cidr6%/64}1: $(in_ns "$pod" ip -6 route show)"
        done
        jq -e --arg i "$i" --argjson etcd "$etcd" '.nodeIPv6 == "fd00:192:160:1::1\($i)" and .clusterCIDRv6 == "fd00:10:244::/56"
            and .podCIDRv6 == (if $etcd == 1 then null else "fd00:10:244:\($i)::/64" end)' "$f" > /dev/null ||
            fail "$f lacks the dual-stack fields: $(cat "$f")"
        if ((!etcd)); then
            jq -e '[.nodes[] | select(.nodeIPv6 == null or .podCIDRv6 == null)] | length == 0' "$f" > /dev/null ||
                fail "$f has node entries without nodeIPv6/podCIDRv6"
        fi
    done
    if ((etcd)); then
        [[ $(printf '%s\n' "${claimed6[@]}" | sort -u | wc -l) == 3 ]] || fail "the nodes claimed overlapping IPv6 /64s: ${claimed6[*]}"
    fi
    ok "dual-stack: nodes fd00:192:160:1::1N forwarding IPv6, every pod an address in its node's IPv6 /64 (with etcd: claimed, distinct) and an IPv6 default route, the node files' IPv6 fields"
    if ((etcd)); then
        # The agents publish their IPv6 identity: every node's value in etcd.
        local values
        values=$(in_ns pl-seg curl -sf --max-time 2 http://192.160.1.250:2379/v3/kv/range \
            -d "{\"key\":\"$(printf /podlane/nodes/ | base64)\",\"range_end\":\"$(printf /podlane/nodes0 | base64)\"}" |
            jq -r '.kvs[].value | @base64d') || fail "cannot read the nodes from etcd"
        [[ $(jq -s '[.[] | select(.nodeIPv6 != null and .podCIDRv6 != null)] | length' <<< "$values") == 3 ]] ||
            fail "not every node published nodeIPv6 and podCIDRv6 in etcd: $values"
        ok "etcd: every node's value holds its nodeIPv6 and podCIDRv6"
    fi
    if ((bpf)); then
        for i in 1 2 3; do
            bad=$(ip -n "pl-node$i" -6 route show | grep -E '^fd00:10:244:[0-9a-f]+::/64' | grep -v 'dev podlane0 proto kernel' || true)
            [[ -z $bad ]] || fail "node$i has a kernel route to another node's IPv6 pod CIDR: $bad"
        done
        n6=$(ctl node1 routes list -o json | jq '[.routes[] | select(.family == "ipv6")] | length') ||
            fail "cannot list node1's IPv6 routes"
        [[ $n6 == 3 ]] || fail "node1's IPv6 routes map holds $n6 routes, not 3 (its own and two others)"
        ok "no kernel routes to other nodes' IPv6 pod CIDRs; node1's IPv6 routes map holds the three /64s"
        # The IPv6 next hops are kept resolved as the IPv4 ones: managed NDP
        # entries tagged with podlane's protocol.
        for ip6 in fd00:192:160:1::12 fd00:192:160:1::13; do
            ip -n pl-node1 -6 neigh show dev eth0 | grep -qE "^$ip6 .*managed.*proto 112" ||
                fail "node1 keeps no managed neighbour entry for $ip6: $(ip -n pl-node1 -6 neigh show dev eth0 | paste -sd ';' -)"
        done
        ok "node1 keeps managed neighbour (NDP) entries for the other nodes' IPv6 addresses"
    fi
    f=$state/matrix/pods6.tsv
    [[ -s $f ]] || fail "the matrix wrote no IPv6 cells ($f)"
    cells=$(wc -l < "$f")
    # 6 pods: pod x pod 6 x 5 and node x pod 3 x 6, for ICMPv6 and TCP.
    ((cells == 96)) || fail "the IPv6 block has $cells cells, not 96"
    bad=$(awk -F'\t' '$4 !~ /^ok/' "$f")
    [[ -z $bad ]] || fail "IPv6 cells failed:
$bad"
    if ((bpf)); then
        # Established IPv6 TCP between nodes' pods takes the BPF path both
        # ways, as IPv4 does: redirected out of one node, delivered into the pod.
        bad=$(awk -F'\t' '$1 == "tcp6" && $2 ~ /^n[0-9]+-p/ && substr($2, 1, index($2, "-")) != substr($3, 1, index($3, "-")) && $4 !~ /^ok:.*R.*L/' "$f")
        [[ -z $bad ]] || fail "cross-node pod-to-pod TCP over IPv6 did not take the BPF path (R and L):
$bad"
    fi
    for i in 1 2 3; do
        drops=$(in_ns "pl-node$i" ip6tables -w -L KUBE-FORWARD -v -n -x | awk '$3 == "DROP" && /INVALID/ { print $1 }')
        [[ $drops == 0 ]] || fail "node$i dropped ${drops:-?} IPv6 packets as conntrack INVALID during the matrix"
    done
    ok "IPv6 block: all 96 cells (pod x pod, node x pod, ICMPv6 and TCP) pass; paths: $(cut -f4 "$f" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')"
}

# IPv6-only (--ip-family ipv6): podlane, the plugin and the pods hold nothing
# of IPv4; the nodes' IPv4 segment addresses are the lab's management network.
assert_ipv6_only() {
    local i j pod f n4 status
    [[ ! -s $state/matrix/pods.tsv ]] || fail "an IPv6-only lab ran IPv4 cells"
    for i in 1 2 3; do
        f=$state/config/node$i/node.json
        jq -e 'has("nodeIP") or has("podCIDR") or ([.nodes[] | select(has("nodeIP") or has("podCIDR"))] | length > 0) | not' \
            "$f" > /dev/null || fail "$f holds IPv4 fields: $(cat "$f")"
        [[ -z $(ip -n "pl-node$i" -4 -o addr show dev podlane0) ]] || fail "node$i's bridge has an IPv4 address"
        [[ -z $(ip -n "pl-node$i" -4 route show dev podlane_host) ]] ||
            fail "node$i has an IPv4 cluster route: $(ip -n "pl-node$i" -4 route show dev podlane_host)"
        for j in 1 2; do
            pod=pl-node$i-pod$j
            [[ -z $(ip -n "$pod" -4 -o addr show scope global) ]] || fail "$pod has an IPv4 address"
            jq -e '[.ips[].address | select(contains(":") | not)] | length == 0' "$state/pods/$pod.result.json" > /dev/null ||
                fail "the CNI result of $pod lists an IPv4 address"
        done
        n4=$(ctl "node$i" routes list -o json | jq '[.routes[] | select(.family == "ipv4")] | length') ||
            fail "cannot list node$i's routes"
        [[ $n4 == 0 ]] || fail "node$i's IPv4 routes map holds $n4 routes"
    done
    status=$(ctl node1 status) || fail "podlanectl status failed on node1"
    grep -q 'IPv6-only node' <<< "$status" || fail "podlanectl status does not say node1 is IPv6-only: $status"
    ctl node1 lookup 10.244.2.2 | grep -q 'this node is IPv6-only' ||
        fail "podlanectl lookup of an IPv4 address does not say the node is IPv6-only"
    ok "IPv6-only: no IPv4 in the node files, on the bridges, in the pods, CNI results or routes maps; podlanectl says so"
}

case_matrix() {
    local bpf=1 etcd=0
    [[ " $* " == *" kernel-routes "* ]] && bpf=0
    [[ " $* " == *" --datastore etcd "* ]] && etcd=1
    up "$@" || fail "podlane-lab up $* (matrix) failed"
    if [[ " $* " == *" --ip-family ipv6 "* ]]; then
        assert_dual_stack "$bpf" "$etcd" ipv6
        assert_ipv6_only
    else
        assert_service_blocks
    fi
    [[ " $* " == *" --ip-family dual "* ]] && assert_dual_stack "$bpf" "$etcd"
    if [[ " $* " == *" --netfilter bypass "* ]]; then
        [[ $(lab_netfilter) == bypass ]] || fail "the lab does not run the nodes in netfilter bypass"
    fi
    ((bpf)) && assert_no_pod_routes
    if [[ " $* " == *" --datastore etcd "* ]]; then
        local f
        for f in "$state"/config/node[123]/node.json; do
            jq -e 'has("nodes") or has("podCIDR") | not' "$f" > /dev/null || fail "$f holds a node list or a pod CIDR"
        done
        ctl node1 routes list -o json | jq -e '[.routes[] | select(.kind == "remote" and .family != "ipv6")] | length == 2' > /dev/null ||
            fail "node1 did not learn both other nodes from etcd"
        ok "no node file lists the cluster: every node claimed its CIDR and learned the others from etcd"
    fi
    ok "matrix passes: up $*"
}

case_detached() {
    up --no-matrix > /dev/null || fail "up failed"
    local dst
    dst=$(pod_ip pl-node2-pod1)
    ping_ok pl-node1-pod1 "$dst" || fail "cross-node ping fails before detaching"
    tcp_ok pl-node1-pod1 "$dst" || fail "cross-node TCP fails before detaching"
    "$lab" detach node1 && "$lab" detach node2 || fail "detach failed"
    local dev
    for dev in podlane0 $(ip -n pl-node1 -br link show type veth | awk '{print $1}' | cut -d@ -f1); do
        [[ -z $(in_ns pl-node1 tc filter show dev "$dev" ingress 2> /dev/null) ]] || fail "a filter is left on node1's $dev"
    done
    assert_no_pod_routes
    ip -n pl-node1 neigh show | grep -q managed && fail "node1 keeps managed neighbour entries after detaching"
    ping_ok pl-node1-pod1 "$dst" && fail "cross-node ping still works with the dataplane detached"
    tcp_ok pl-node1-pod1 "$dst" && fail "cross-node TCP still works with the dataplane detached"
    ping_ok pl-node1-pod1 "$(pod_ip pl-node1-pod2)" || fail "same-node ping must still work (kernel bridge)"
    ok "with the dataplane detached and no kernel routes, cross-node traffic fails (same-node still works)"
}

case_pod_delete() {
    up --no-matrix > /dev/null || fail "up failed"
    local victim=pl-node2-pod2 ip before_drop before_fwd after_drop after_fwd
    ip=$(pod_ip "$victim")
    ping_ok pl-node1-pod1 "$ip" || fail "ping to $victim fails before its deletion"
    ctl node2 endpoints list -o json | jq -e --arg ip "$ip" 'any(.endpoints[]; .podIp == $ip)' > /dev/null ||
        fail "$victim ($ip) is not in node2's endpoints"
    "$lab" del-pod "$victim" || fail "del-pod failed"
    ctl node2 endpoints list -o json | jq -e --arg ip "$ip" 'any(.endpoints[]; .podIp == $ip) | not' > /dev/null ||
        fail "$ip still in node2's endpoints after CNI DEL"
    ok "CNI DEL removed endpoint $ip"
    # An address with no endpoint goes to the node's kernel (a pod added while
    # podlaned was down is delivered that way), which finds no such pod.
    before_drop=$(counter node2 pass-no-endpoint)
    before_fwd=$(counter node1 forwarded-remote)
    ping_ok pl-node1-pod1 "$ip" && fail "ping to the deleted pod $ip answered"
    ping_ok pl-node2-pod1 "$ip" && fail "ping from a same-node pod to the deleted pod $ip answered"
    after_drop=$(counter node2 pass-no-endpoint)
    after_fwd=$(counter node1 forwarded-remote)
    ((after_fwd > before_fwd)) || fail "node1 did not forward the packet to node2 (forwarded-remote $before_fwd -> $after_fwd)"
    ((after_drop > before_drop)) || fail "node2 did not count it (pass-no-endpoint $before_drop -> $after_drop)"
    ok "traffic to the deleted pod goes to its node and to that node's kernel, counted: pass-no-endpoint +$((after_drop - before_drop))"
    ping_ok pl-node1-pod1 "$(pod_ip pl-node2-pod1)" || fail "the other pod of node2 became unreachable"
}

# A pod sending from an address not its own (here another node's pod
# address, added in the pod's own namespace) is dropped on its node and
# counted; its own address keeps working. Per-veth and bridge mode count
# under their own reasons.
case_spoof() {
    up --no-matrix > /dev/null || fail "up failed"
    local dst spoofed=10.244.2.99 before after
    dst=$(pod_ip pl-node2-pod1)
    ping_ok pl-node1-pod1 "$dst" || fail "pod1 cannot reach $dst before spoofing"
    in_ns pl-node1-pod1 ip addr add "$spoofed/32" dev eth0 || fail "cannot add $spoofed in pl-node1-pod1"
    before=$(($(counter node1 drop-spoofed-source) + $(counter node1 drop-source-not-local-pod)))
    in_ns pl-node1-pod1 ping -c 2 -W 1 -q -I "$spoofed" "$dst" > /dev/null 2>&1 &&
        fail "a ping from the spoofed source $spoofed was answered"
    after=$(($(counter node1 drop-spoofed-source) + $(counter node1 drop-source-not-local-pod)))
    ((after >= before + 2)) || fail "node1 did not count the spoofed packets ($before -> $after)"
    ping_ok pl-node1-pod1 "$dst" || fail "pod1's own address stopped working"
    ok "spoofed source $spoofed dropped on node1 and counted (+$((after - before))); the pod's own address works"
}

case_node_removal() {
    up --no-matrix > /dev/null || fail "up failed"
    local cfg=$state/config/node1/node.json tmp t0 t1 ms i
    ctl node1 routes list -o json | jq -e 'any(.routes[]; .cidr == "10.244.3.0/24")' > /dev/null ||
        fail "node1 has no route to node3's pod CIDR"
    tmp=$(mktemp "$cfg.XXXXXX")
    jq '.nodes |= map(select(.name != "node3"))' "$cfg" > "$tmp"
    t0=$(now_ns)
    mv -f "$tmp" "$cfg"
    for ((i = 0; i < 400; i++)); do
        ctl node1 routes list -o json | jq -e 'any(.routes[]; .cidr == "10.244.3.0/24") | not' > /dev/null && break
        sleep 0.005
    done
    t1=$(now_ns)
    ctl node1 routes list -o json | jq -e 'any(.routes[]; .cidr == "10.244.3.0/24") | not' > /dev/null ||
        fail "node1 still routes 10.244.3.0/24 two seconds after node3 left its config"
    ms=$(((t1 - t0) / 1000000))
    echo "MEASURED: route removed ${ms} ms after the config change (poll step 5 ms + one podlanectl run)"
    ((ms < 1000)) || fail "route removal took ${ms} ms (goal < 1000 ms)"
    ping_ok pl-node1-pod1 "$(pod_ip pl-node3-pod1)" && fail "node1's pods still reach node3's pods without a route"
    ping_ok pl-node1-pod1 "$(pod_ip pl-node2-pod1)" || fail "node2's pods became unreachable"
    ip -n pl-node1 neigh show 192.160.1.13 | grep -q managed && fail "node1 still keeps node3's MAC resolved"
    ok "node removal: route gone in ${ms} ms, remaining nodes unaffected"
}

# iperf3 across nodes while both ends' agents restart with SIG$1.
restart_under_load() {
    local sig=$1 dst out pid rc=0
    dst=$(pod_ip pl-node2-pod1)
    nsenter --net=/run/netns/pl-node2-pod1 -- iperf3 -s -1 -p 5201 > /dev/null 2>&1 &
    pid=$!
    own_pids+=("$pid")
    sleep 0.5
    out=$(mktemp)
    nsenter --net=/run/netns/pl-node1-pod1 -- iperf3 -c "$dst" -p 5201 -t 8 -i 1 -J > "$out" 2>&1 &
    local client=$!
    own_pids+=("$client")
    sleep 2
    if [[ $sig != NONE ]]; then
        "$lab" restart-agent node1 --signal "$sig" > /dev/null 2>&1 || fail "restart of node1's agent failed"
        sleep 1
        "$lab" restart-agent node2 --signal "$sig" > /dev/null 2>&1 || fail "restart of node2's agent failed"
    fi
    wait "$client" || rc=$?
    wait "$pid" 2> /dev/null || true
    ((rc == 0)) || { cat "$out" >&2; fail "iperf3 failed (exit $rc) while agents restarted with SIG$sig"; }
    local min_bps retrans gbps
    min_bps=$(jq '[.intervals[].sum.bits_per_second] | min' "$out")
    retrans=$(jq '.end.sum_sent.retransmits' "$out")
    gbps=$(jq '.end.sum_received.bits_per_second / 1e9 | . * 100 | round / 100' "$out")
    rm -f "$out"
    local what="SIG$sig restarts of both agents"
    [[ $sig == NONE ]] && what="no restart (baseline)"
    echo "MEASURED: $what during an 8 s iperf3 flow: $gbps Gbit/s, $retrans retransmits, slowest 1-s interval $(jq -n "$min_bps / 1e9 | . * 100 | round / 100") Gbit/s"
    jq -en "$min_bps > 0" > /dev/null || fail "the flow stalled for a whole second during the SIG$sig restart"
    ok "$what: the connection survived, no second without traffic"
}

case_restart() {
    up --no-matrix > /dev/null || fail "up failed"
    command -v iperf3 > /dev/null || { echo "SKIP: iperf3 missing"; exit 77; }
    # The veth lab retransmits even without restarts: the baseline says how many.
    restart_under_load NONE
    restart_under_load TERM
    restart_under_load KILL
    # Restarted agents adopted the pinned state: one filter per hook (the
    # default attach point: each pod's host veth; none on the bridge).
    local dev
    for dev in $(ctl node1 endpoints list -o json | jq -r '.endpoints[].hostInterface'); do
        [[ $(in_ns pl-node1 tc filter show dev "$dev" ingress | grep -c 'direct-action') -eq 1 ]] ||
            fail "pod veth $dev on node1 does not have exactly one BPF filter after restarts"
    done
    [[ -z $(in_ns pl-node1 tc filter show dev podlane0 ingress) ]] || fail "a filter is on node1's bridge in veth mode"
    "$lab" matrix > /dev/null || fail "matrix fails after the restarts"
    ok "after the restarts the matrix passes"
}

# A fourth node joins with no agent restarted. In router mode the router
# learns its pod CIDR (from its file, or with --datastore etcd from etcd).
case_join() {
    up --no-matrix "$@" > /dev/null || fail "up $* failed"
    local router=0 etcd=0 pids_before pids_after cidr learner
    [[ " $* " == *" --mode router "* ]] && router=1
    [[ " $* " == *" --datastore etcd "* ]] && etcd=1
    if ((router && etcd)); then
        jq -e 'has("nodes") | not' "$state/config/router/node.json" > /dev/null ||
            fail "the router's file lists nodes: with etcd they must come from etcd"
        routes_count_is() { ctl router routes list -o json | jq -e --argjson n "$1" '.routes | length == $n' > /dev/null; }
        eventually 10 routes_count_is 3 ||
            fail "the router did not learn the three nodes from etcd: $(ctl router routes list)"
        ok "the router's file lists no node; it learned all three from etcd"
    fi
    local agents=("$state"/pids/podlaned-*.pid)  # the router's too, in router mode
    pids_before=$(cat "${agents[@]}")
    "$lab" add-node || fail "add-node failed"
    pids_after=$(cat "${agents[@]}")
    [[ $pids_before == "$pids_after" ]] || fail "an agent was restarted by the join"
    # The readiness gate: node4 tells the cluster its network is ready only
    # once its routes are in (with etcd: not ready until the first list).
    node4_ready() { ctl node4 status -o json | jq -e '.agent.networkReady == true' > /dev/null; }
    eventually 10 node4_ready || fail "node4 never reported its network ready: $(ctl node4 status)"
    if ((etcd)); then
        local log4=$state/logs/podlaned-node4.log not_ready ready
        not_ready=$(grep -n "network not ready: waiting for the first node list" "$log4" | head -1 | cut -d: -f1)
        ready=$(grep -n "network ready: " "$log4" | head -1 | cut -d: -f1)
        [[ -n $not_ready && -n $ready ]] && ((not_ready < ready)) ||
            fail "node4 did not report not-ready until its routes were in: $(grep network "$log4")"
        ok "node4 reported its network not ready until etcd's first list put its routes in, then ready"
    fi
    cidr=$(ctl node4 routes list -o json | jq -r '.routes[] | select(.kind == "local") | .cidr')
    [[ -n $cidr ]] || fail "node4 has no local route"
    learner=node1
    ((router)) && learner=router
    has_route() { ctl "$1" routes list -o json | jq -e --arg c "$2" 'any(.routes[]; .cidr == $c)' > /dev/null; }
    eventually 10 has_route "$learner" "$cidr" || fail "$learner did not learn node4's pod CIDR $cidr"
    ((router)) && assert_no_pod_routes
    "$lab" matrix || fail "matrix with the fourth node fails"
    ok "a fourth node joined ($cidr, learned by $learner): every pod reaches its pods, no agent restarted"
}

# What an operator sees from a node: status names every attachment (the pods'
# veths included, also those the plugin attached after the agent started) with
# no problem; a traceroute-style TTL 1 probe from the node is answered by the
# owning node, as with kernel routes.
case_node_view() {
    up --no-matrix > /dev/null || fail "up failed"
    local i st
    # Nothing has crossed nodes yet: the agents keep the next hops resolved,
    # so the node's very first packet is not lost behind an ARP request.
    ip -n pl-node1 neigh show 192.160.1.13 | grep -q managed || fail "node1 does not keep node3's MAC resolved"
    in_ns pl-node1 ping -c 1 -W 2 -q "$(pod_ip pl-node3-pod2)" > /dev/null || fail "node1's first packet to a node3 pod is lost"
    ok "a node's first packet to another node's pod arrives (next hops kept resolved)"
    for i in 1 2 3; do
        # As the README and the lab tell a user to run it: no --run-root; the
        # agent (run with the lab's --run-dir) is found from the pin root.
        st=$(ctl "node$i" status -o json) || fail "podlanectl status on node$i failed"
        jq -e '.agent.running' <<< "$st" > /dev/null || fail "node$i: status says the agent is not running: $(jq -c '.agent' <<< "$st")"
        jq -e '.dataplaneLoaded' <<< "$st" > /dev/null || fail "node$i: status says the dataplane is not loaded: $st"
        jq -e '[.attachments[] | select(.problem != null or .attached != true)] | length == 0' <<< "$st" > /dev/null ||
            fail "node$i: status reports a problem: $(jq -c '.attachments' <<< "$st")"
        [[ $(jq '[.attachments[] | select(.expectedProgram == "podlane_from_pod" and .hook == "tc-ingress")] | length' <<< "$st") == 2 ]] ||
            fail "node$i: status does not list both pods' veths: $(jq -c '.attachments' <<< "$st")"
    done
    ok "podlanectl status (no --run-root): every agent found running, every node loaded, both pod veths listed, no problem"
    # Read whole first: grep -q stops at the match, and the lab's later lines
    # would then die of SIGPIPE under pipefail.
    local printed
    printed=$("$lab" status) || fail "podlane-lab status failed"
    grep -q -F "nsenter --net=/run/netns/pl-node1 $build/maps-cli/podlanectl --pin-root $pins --node node1 status" \
        <<< "$printed" || fail "podlane-lab status does not print the podlanectl command that works"
    grep -q -F "nsenter --net=/run/netns/pl-node1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9965;" <<< "$printed" ||
        fail "podlane-lab status does not print how to read the metrics"
    local probe
    probe=$(in_ns pl-node1 ping -t 1 -c 1 -W 2 "$(pod_ip pl-node2-pod1)" 2>&1 || true)  # exits 1: no echo reply
    grep -q 'From 192.160.1.12 .*Time to live exceeded' <<< "$probe" ||
        fail "a TTL 1 probe from node1 to a node2 pod is not answered by node2: $probe"
    ok "a TTL 1 probe from a node is answered by the owning node (time exceeded)"
}

# Prometheus metrics (issue 18): every node's podlaned answers /metrics with
# the families a dashboard uses, and the counters move with traffic sent here.
case_metrics() {
    up --no-matrix "$@" > /dev/null || fail "up $* failed"
    local router=0 etcd=0 n m family before after dst
    [[ " $* " == *" --mode router "* ]] && router=1
    [[ " $* " == *" --datastore etcd "* ]] && etcd=1
    for n in node1 node2 node3; do
        m=$(scrape "$n") || fail "$n: no answer on :9965/metrics"
        for family in podlane_build_info podlane_packets_total podlane_bytes_total podlane_map_entries \
            podlane_map_capacity podlane_routes podlane_endpoints podlane_reconcile_duration_seconds \
            podlane_route_convergence_seconds podlane_datastore_up podlane_datastore_errors_total \
            podlane_refused_nodes_total podlane_network_ready; do
            grep -q "^# TYPE $family " <<< "$m" || fail "$n: /metrics has no family $family"
        done
        [[ $(sample 'podlane_endpoints' <<< "$m") == 2 ]] || fail "$n: podlane_endpoints is not 2"
        [[ $(sample 'podlane_routes{kind="local"}' <<< "$m") == 1 ]] || fail "$n: not one local route"
        ((router)) || [[ $(sample 'podlane_routes{kind="remote"}' <<< "$m") == 2 ]] || fail "$n: not two remote routes"
        [[ $(sample 'podlane_datastore_up' <<< "$m") == 1 ]] || fail "$n: podlane_datastore_up is not 1"
        [[ $(sample 'podlane_network_ready' <<< "$m") == 1 ]] || fail "$n: podlane_network_ready is not 1"
        (($(sample 'podlane_reconcile_duration_seconds_count' <<< "$m") >= 1)) || fail "$n: no reconcile measured"
        [[ $(sample 'podlane_map_capacity{map="pl_routes_v1"}' <<< "$m") == 16384 ]] || fail "$n: routes map capacity"
    done
    ok "every node's podlaned answers /metrics with every family"
    # Five cross-node TCP exchanges (established packets take the fast path;
    # handshakes and ICMP are netfilter's, counted as passes) move node1's
    # forward counter and node2's delivery counter, at least one packet each.
    local fwd_before i
    dst=$(pod_ip pl-node2-pod1)
    before=$(scrape node2 | sample 'podlane_packets_total{verdict="forward",reason="delivered-local"}')
    fwd_before=$(scrape node1 | sample 'podlane_packets_total{verdict="forward",reason="forwarded-remote"}')
    for i in 1 2 3 4 5; do tcp_ok pl-node1-pod1 "$dst" || fail "TCP exchange $i from node1 to node2 failed"; done
    after=$(scrape node2 | sample 'podlane_packets_total{verdict="forward",reason="delivered-local"}')
    ((after >= before + 5)) || fail "node2's delivered-local did not move by the 5 exchanges ($before -> $after)"
    ok "node2's podlane_packets_total{reason=\"delivered-local\"} moved with the TCP sent: $before -> $after"
    if ((!router)); then
        after=$(scrape node1 | sample 'podlane_packets_total{verdict="forward",reason="forwarded-remote"}')
        ((after >= fwd_before + 5)) || fail "node1's forwarded-remote did not move ($fwd_before -> $after)"
        ok "node1's podlane_packets_total{reason=\"forwarded-remote\"}: $fwd_before -> $after"
    fi
    # A drop is counted under its reason: a spoofed source.
    in_ns pl-node1-pod1 ip addr add 10.244.2.99/32 dev eth0 || fail "cannot add the spoofed address"
    before=$(scrape node1 | sample 'podlane_packets_total{verdict="drop",reason="drop-spoofed-source"}')
    in_ns pl-node1-pod1 ping -c 2 -W 1 -q -I 10.244.2.99 "$dst" > /dev/null 2>&1 && fail "a spoofed ping was answered"
    after=$(scrape node1 | sample 'podlane_packets_total{verdict="drop",reason="drop-spoofed-source"}')
    ((after >= before + 2)) || fail "node1's drop-spoofed-source did not move ($before -> $after)"
    ok "a spoofed packet moves podlane_packets_total{verdict=\"drop\",reason=\"drop-spoofed-source\"}: $before -> $after"
    # podlanectl monitor (issue 18) shows the same drop as it happens: the
    # reason, the pod's veth, the spoofed source.
    local events=$state/monitor-events.json mon hostif
    hostif=$(ctl node1 endpoints list -o json |
        jq -r --arg ip "$(pod_ip pl-node1-pod1)" '.endpoints[] | select(.podIp == $ip) | .hostInterface')
    in_ns pl-node1 "$build/maps-cli/podlanectl" --pin-root "$pins" --node node1 monitor --type drop -o json \
        --count 2 --duration 30 > "$events" 2> "$events.err" &
    mon=$!
    own_pids+=("$mon")
    sleep 1.5 # the switch is on once the monitor has opened the ring buffer
    in_ns pl-node1-pod1 ping -c 2 -i 0.3 -W 1 -q -I 10.244.2.99 "$dst" > /dev/null 2>&1 &&
        fail "a spoofed ping was answered"
    wait "$mon" || fail "podlanectl monitor failed: $(cat "$events.err")"
    [[ $(jq -s 'length' "$events") == 2 ]] || fail "podlanectl monitor did not show 2 events: $(cat "$events")"
    jq -e -s --arg dst "$dst" --arg ifname "$hostif" 'all(.[]; .reason == "drop-spoofed-source" and
        .verdict == "drop" and .src == "10.244.2.99" and .dst == $dst and .protocol == "icmp" and
        .interface == $ifname)' "$events" > /dev/null || fail "podlanectl monitor's events are not the spoofed drops: $(cat "$events")"
    ok "podlanectl monitor showed the drops as they happened: $(jq -c -s '.[0] | {reason, interface, src, dst}' "$events")"
    if ((router)); then
        m=$(scrape router) || fail "the router answers no /metrics"
        grep -q '^podlane_build_info{.*role="router"} 1$' <<< "$m" || fail "router: no build info of role router"
        [[ $(sample 'podlane_router_neighbours' <<< "$m") == 3 ]] || fail "router: does not know the 3 nodes' MACs"
        [[ $(sample 'podlane_routes{kind="remote"}' <<< "$m") == 3 ]] || fail "router: not three routes"
        (($(sample 'podlane_packets_total{verdict="forward",reason="forwarded-router"}' <<< "$m") >= 5)) ||
            fail "router: the TCP exchanges were not counted as forwarded-router"
        ok "the router's /metrics: its routes, neighbours and forwarded packets"
    fi
    if ((etcd)); then
        # A fourth node joins through etcd: node1 (in router mode, the
        # router) learns it, and the time from etcd's event to its routes map
        # is measured.
        local learner=node1 remote=3
        ((router)) && learner=router remote=4
        before=$(scrape $learner | sample 'podlane_route_convergence_seconds_count')
        "$lab" add-node > /dev/null || fail "add-node failed"
        learned() { (($(scrape $learner | sample 'podlane_routes{kind="remote"}') == remote)); }
        eventually 10 learned || fail "$learner did not learn node4"
        after=$(scrape $learner | sample 'podlane_route_convergence_seconds_count')
        ((after > before)) || fail "$learner measured no convergence for node4's arrival ($before -> $after)"
        echo "MEASURED: $learner's route convergence from etcd: $(scrape $learner | sample 'podlane_route_convergence_seconds_sum') s in all over $after changes"
        ok "etcd: datastore up, node4's arrival measured in $learner's podlane_route_convergence_seconds"
    fi
}

case ${case_name} in
matrix) case_matrix "$@" ;;
metrics) case_metrics "$@" ;;
node-view) case_node_view ;;
detached) case_detached ;;
pod-delete) case_pod_delete ;;
spoof) case_spoof ;;
node-removal) case_node_removal ;;
restart) case_restart ;;
join) case_join "$@" ;;
*) fail "unknown case '$case_name'" ;;
esac
