# shellcheck shell=bash
# For scripts that wire a pod by hand (namespace tests, benchmarks): puts the
# pod into a node's endpoints map the way the CNI plugin does (podlanectl
# deliberately has no "endpoints add": the plugin owns endpoints), and wires
# the whole pod (pl_wire_pod). The entry is written by pl-register-endpoint
# (tests/tools), built from the ABI header: no script spells its bytes.
# Set PL_BUILD_DIR to the build tree before calling.
#
#   pl_register_endpoint PIN_DIR NODE_NS POD_NS HOST_VETH POD_IP
# PIN_DIR is the node's pin directory; the pod's interface is eth0.

# pl_link_field NS IFNAME FIELD: ifindex or address of an interface.
pl_link_field() { ip -n "$1" -j link show "$2" | jq -r ".[0].$3"; }

pl_register_endpoint() {
	local pin_dir=$1 node=$2 pod=$3 veth=$4 ip=$5
	"${PL_BUILD_DIR:?set PL_BUILD_DIR to the build tree}/tests/tools/pl-register-endpoint" "$pin_dir" "$ip" \
		"$(pl_link_field "$node" "$veth" ifindex)" "$(pl_link_field "$pod" eth0 address)" \
		"$(pl_link_field "$node" "$veth" address)"
}

# pl_wire_pod PIN_DIR NODE_NS POD_NS HOST_VETH POD_IP GATEWAY: a pod wired
# the way the CNI plugin wires it (veth pair: eth0 in POD_NS with POD_IP/24
# and a default route via GATEWAY, HOST_VETH on the node's podlane0), then
# registered in the node's endpoints map.
pl_wire_pod() {
	local pin_dir=$1 node=$2 pod=$3 veth=$4 ip=$5 gw=$6
	ip -n "$node" link add "$veth" type veth peer name eth0 netns "$pod"
	ip -n "$node" link set "$veth" master podlane0 up
	ip -n "$pod" addr add "$ip/24" dev eth0
	ip -n "$pod" link set eth0 up
	ip -n "$pod" route add default via "$gw"
	pl_register_endpoint "$pin_dir" "$node" "$pod" "$veth" "$ip"
}
