#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# The DaemonSet runs podlaned unprivileged with a short capability list
# (deploy/kubernetes/daemonset.yaml). This runs podlaned on two node
# namespaces with exactly that list as its bounding set and checks that the
# dataplane loads, attaches and forwards across nodes, and that the probe
# (`podlanectl status --check`) works with the same capabilities. One
# capability fewer must fail loudly, which shows the bounding set bites.
# Usage: agent_capabilities.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../support/netns_test.sh"
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
pl_test_begin plcap "${1:?build dir}"
skip_unless_root_and jq setpriv python3
python3 -c 'import yaml' 2> /dev/null || skip "python3-yaml is not installed"

manifest="$(dirname "$0")/../../deploy/kubernetes/daemonset.yaml"
caps=$(python3 - "$manifest" << 'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc["kind"] == "DaemonSet":
        for c in doc["spec"]["template"]["spec"]["containers"]:
            if c["name"] == "podlaned":
                print(",".join(c["securityContext"]["capabilities"]["add"]).lower())
PY
)
[ -n "$caps" ] || fail "no capability list for podlaned in $manifest"
# only_caps CAPS: the command prefix that runs as root with only CAPS in the
# bounding set (what a container's capability list amounts to).
only_caps() { echo "setpriv --bounding-set -all,+${1//,/,+} --inh-caps -all --no-new-privs"; }

ns_add n1 n2 p1 p2
link_nodes_direct
for i in 1 2; do node_config "$i" "$(pl_node_list 2)"; done

# One capability fewer: podlaned must refuse to start and say why.
for missing in ${caps//,/ }; do
	fewer=$(echo ",$caps," | sed "s/,$missing,/,/; s/^,//; s/,$//")
	# shellcheck disable=SC2046 # the prefix is words
	if in_ns n1 $(only_caps "$fewer") "$podlaned" --config "$work/node1.json" --run-dir "$work/run" \
		> "$work/fewer-$missing.log" 2>&1; then
		fail "podlaned started without CAP_${missing^^}: the list is longer than needed, or the test does not drop it"
	fi
	grep -qi "error" "$work/fewer-$missing.log" || fail "podlaned without CAP_${missing^^} failed without an error line"
	echo "   without CAP_${missing^^}: $(grep -m1 -i error "$work/fewer-$missing.log")"
	in_ns n1 "$podlaned" --config "$work/node1.json" --run-dir "$work/run" --detach 2> /dev/null || true
done
echo "ok: podlaned refuses to start with any one of {$caps} missing"

for i in 1 2; do
	# shellcheck disable=SC2046
	start_in_ns "podlaned$i" "n$i" "$work/podlaned$i.log" $(only_caps "$caps") "$podlaned" \
		--config "$work/node$i.json" --run-dir "$work/run"
done
for i in 1 2; do wait_ready "$work/podlaned$i.log" "podlaned on node$i (capabilities: $caps)"; done

for i in 1 2; do
	pl_wire_pod "$pin_root/node$i" "$(ns "n$i")" "$(ns "p$i")" "vpod$i" "10.244.$i.10" "10.244.$i.1"
	in_ns "n$i" tc qdisc add dev "vpod$i" clsact # what the CNI plugin does on ADD in per-veth mode
	in_ns "n$i" tc filter add dev "vpod$i" ingress handle 1 pref 1 bpf da pinned "$pin_root/node$i/prog_from_pod"
done
before=$(counter node1 forwarded-remote)
in_ns p1 ping -c 3 -i 0.2 -W 2 10.244.2.10 > "$work/ping.log" 2>&1 || fail "cross-node pod ping failed"
after=$(counter node1 forwarded-remote)
[ "$after" -gt "$before" ] || fail "forwarded-remote did not move: BPF did not carry the pings"
echo "ok: podlaned with only {$caps} loads, attaches and forwards ($((after - before)) packets by BPF)"

# shellcheck disable=SC2046
probe() { in_ns n1 $(only_caps "$caps") "$podlanectl" --pin-root "$pin_root" --run-root "$work/run" --node node1 status --check; }
probe > "$work/probe.log" 2>&1 || fail "the probe fails with the agent's capabilities: $(cat "$work/probe.log")"
stop_in_ns podlaned1
if probe > "$work/probe-stopped.log" 2>&1; then fail "the probe passes with podlaned stopped"; fi
echo "ok: podlanectl status --check passes while podlaned runs and fails once it stopped"
