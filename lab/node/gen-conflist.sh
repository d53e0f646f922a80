#!/usr/bin/env bash
# Print the CNI conflist naming the podlane plugin on stdout. The namespace
# lab and the Vagrant VMs (/etc/cni/net.d/10-podlane.conflist) use the same.
#
#   gen-conflist.sh --node-config /etc/podlane/node.json \
#       [--data-dir /var/lib/cni/podlane] [--pin-root /sys/fs/bpf/podlane]
set -euo pipefail

node_config='' data_dir=/var/lib/cni/podlane pin_root=''
while (($#)); do
	case $1 in
	--node-config) node_config=$2 ;;
	--data-dir) data_dir=$2 ;;
	--pin-root) pin_root=$2 ;;
	*)
		echo "gen-conflist: unknown option '$1'" >&2
		exit 2
		;;
	esac
	shift 2
done
[[ -n $node_config ]] || {
	echo "gen-conflist: --node-config is required" >&2
	exit 2
}

jq -n --arg nc "$node_config" --arg dd "$data_dir" --arg pin "$pin_root" '
	{cniVersion: "1.0.0", name: "podlane",
	 plugins: [{type: "podlane", nodeConfig: $nc, dataDir: $dd}
	           + (if $pin != "" then {pinRoot: $pin} else {} end)]}'
