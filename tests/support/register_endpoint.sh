# shellcheck shell=bash
# For scripts that wire a pod by hand (namespace tests, benchmarks): puts the
# pod into a node's endpoints map the way the CNI plugin does (podlanectl
# deliberately has no "endpoints add": the plugin owns endpoints), and wires
# the whole pod (pl_wire_pod).
#
#   pl_register_endpoint PIN_DIR NODE_NS POD_NS HOST_VETH POD_IP
# PIN_DIR holds the node's pl_endpoints_v1; the pod's interface is eth0.

# "aa bb cc dd ee ff": an interface's MAC as bpftool's hex bytes.
pl_hex_mac() { ip -n "$1" -o link show "$2" | grep -o 'link/ether [^ ]*' | cut -d' ' -f2 | tr ':' ' '; }

pl_register_endpoint() {
	local pin_dir=$1 node=$2 pod=$3 veth=$4 ip=$5 ifindex
	ifindex=$(ip -n "$node" -o link show "$veth" | cut -d: -f1)
	# Value: host ifindex (u32, little endian), pod MAC, host MAC, flags (u32).
	# shellcheck disable=SC2046 # one argument per byte
	bpftool map update pinned "$pin_dir/pl_endpoints_v1" key $(tr '.' ' ' <<<"$ip") \
		value hex $(printf '%02x %02x %02x %02x' $((ifindex & 255)) $((ifindex >> 8 & 255)) \
			$((ifindex >> 16 & 255)) $((ifindex >> 24 & 255))) \
		$(pl_hex_mac "$pod" eth0) $(pl_hex_mac "$node" "$veth") 00 00 00 00
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
