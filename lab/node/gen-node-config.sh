#!/usr/bin/env bash
# Print a podlaned node file (JSON) on stdout. Used by the namespace lab for
# each lab node and by the Vagrant provisioning for each VM: one generator, so
# both labs run the same configuration.
#
#   gen-node-config.sh --name node1 --ip 192.160.1.11 [--pod-cidr 10.244.1.0/24] \
#       [--node node1,192.160.1.11,10.244.1.0/24 --node node2,...] \
#       [--uplink eth0] [--bridge podlane0] [--cluster-cidr 10.244.0.0/16] \
#       [--pin-root /sys/fs/bpf/podlane] [--router-ip 192.160.1.1] \
#       [--ip6 fd00:192:160:1::11 --cluster-cidr6 fd00:10:244::/56 [--pod-cidr6 fd00:10:244:1::/64]]
# Without --pod-cidr and --node (datastore mode) the node claims its pod CIDR
# and learns the cluster from etcd or Kubernetes. Dual-stack: --ip6 and
# --cluster-cidr6 together; a --node then may add ,NODE_IPV6,POD_CIDR_V6.
# IPv6-only: no --ip, and --node NAME,,,NODE_IPV6,POD_CIDR_V6.
set -euo pipefail

usage() {
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

name='' ip='' pod_cidr='' uplink=eth0 bridge=podlane0 cluster=10.244.0.0/16 pin_root='' router_ip=''
ip6='' cluster6='' pod_cidr6=''
nodes=()
while (($#)); do
	case $1 in
	--name) name=$2 ;;
	--ip) ip=$2 ;;
	--pod-cidr) pod_cidr=$2 ;;
	--uplink) uplink=$2 ;;
	--bridge) bridge=$2 ;;
	--cluster-cidr) cluster=$2 ;;
	--pin-root) pin_root=$2 ;;
	--router-ip) router_ip=$2 ;;
	--node) nodes+=("$2") ;;
	--ip6) ip6=$2 ;;
	--cluster-cidr6) cluster6=$2 ;;
	--pod-cidr6) pod_cidr6=$2 ;;
	-h | --help) usage ;;
	*)
		echo "gen-node-config: unknown option '$1'" >&2
		usage
		;;
	esac
	shift 2
done
[[ -n $name && ( -n $ip || -n $ip6 ) ]] || {
	echo "gen-node-config: --name and --ip (or --ip6 for an IPv6-only node) are required" >&2
	usage
}
[[ -n $ip6 && -n $cluster6 || -z $ip6 && -z $cluster6 && -z $pod_cidr6 ]] || {
	echo "gen-node-config: dual-stack needs --ip6 and --cluster-cidr6 (and --pod-cidr6 only with them)" >&2
	exit 2
}
command -v jq >/dev/null || {
	echo "gen-node-config: jq is required (apt-get install jq)" >&2
	exit 1
}

nodes_json='[]'
for n in "${nodes[@]}"; do
	IFS=, read -r nn nip ncidr nip6 ncidr6 extra <<<"$n"
	[[ -n $nn && ${nip:+x} == "${ncidr:+x}" && -n $nip$nip6 && -z $extra && ${nip6:+x} == "${ncidr6:+x}" ]] || {
		echo "gen-node-config: --node wants NAME,NODE_IP,POD_CIDR[,NODE_IPV6,POD_CIDR_V6], got '$n'" >&2
		exit 2
	}
	nodes_json=$(jq -c --arg n "$nn" --arg i "$nip" --arg c "$ncidr" --arg i6 "$nip6" --arg c6 "$ncidr6" \
		'. + [{name: $n}
		      + (if $i != "" then {nodeIP: $i, podCIDR: $c} else {} end)
		      + (if $i6 != "" then {nodeIPv6: $i6, podCIDRv6: $c6} else {} end)]' <<<"$nodes_json")
done

jq -n --arg name "$name" --arg ip "$ip" --arg uplink "$uplink" --arg bridge "$bridge" \
	--arg cidr "$pod_cidr" --arg cluster "$cluster" --arg pin "$pin_root" --arg router "$router_ip" \
	--arg ip6 "$ip6" --arg cluster6 "$cluster6" --arg cidr6 "$pod_cidr6" \
	--argjson nodes "$nodes_json" '
	{nodeName: $name}
	+ (if $ip != "" then {nodeIP: $ip} else {} end)
	+ {uplink: $uplink, bridge: $bridge, clusterCIDR: $cluster}
	+ (if $ip6 != "" then {nodeIPv6: $ip6, clusterCIDRv6: $cluster6} else {} end)
	+ (if $cidr != "" then {podCIDR: $cidr} else {} end)
	+ (if $cidr6 != "" then {podCIDRv6: $cidr6} else {} end)
	+ (if ($nodes | length) > 0 then {nodes: $nodes} else {} end)
	+ (if $pin != "" then {pinRoot: $pin} else {} end)
	+ (if $router != "" then {routerIP: $router} else {} end)'
