#!/usr/bin/env bash
# A test pod on a Vagrant node, wired the way a container runtime wires one:
# a network namespace, then every plugin of the node's conflist executed from
# CNI_PATH with the CNI_* environment and its network config on stdin (ADD in
# list order, DEL in reverse with the cached result as prevResult).
#
#   demo-pod.sh add NAME     create pod NAME (namespace /run/netns/NAME), print its IP
#   demo-pod.sh ip NAME      print the IP of pod NAME
#   demo-pod.sh del NAME     CNI DEL, then remove the namespace
#   demo-pod.sh list         the demo pods on this node and their IPs
#
# Then, e.g.:  ip netns exec NAME ping -c 3 10.244.2.2
# Environment: CONFLIST (default /etc/cni/net.d/10-podlane.conflist),
# CNI_PATH (default /opt/cni/bin).
set -euo pipefail

conflist=${CONFLIST:-/etc/cni/net.d/10-podlane.conflist}
cni_path=${CNI_PATH:-/opt/cni/bin}
# Results cached for DEL, as runtimes do (libcni: /var/lib/cni/results).
state=/run/podlane-demo

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
die() {
	echo "demo-pod: $*" >&2
	exit 1
}

# netconf K [PREV_RESULT]: what a runtime hands plugin K of the list: the
# plugin's entry plus the list's cniVersion and name (and prevResult).
netconf() {
	local k=$1 prev=${2-}
	jq -c --argjson k "$k" --arg prev "$prev" '
		.plugins[$k] + {cniVersion: .cniVersion, name: .name}
		+ (if $prev != "" then {prevResult: ($prev | fromjson)} else {} end)' "$conflist"
}

# run_plugin COMMAND POD K [PREV_RESULT]: execute plugin K for POD.
run_plugin() {
	local cmd=$1 pod=$2 k=$3 prev=${4-} conf type
	conf=$(netconf "$k" "$prev")
	type=$(jq -r .type <<<"$conf")
	[[ -x $cni_path/$type ]] || die "plugin '$type' not found in CNI_PATH $cni_path"
	CNI_COMMAND=$cmd CNI_CONTAINERID=podlane-demo-$pod CNI_NETNS=/run/netns/$pod CNI_IFNAME=eth0 \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$pod" CNI_PATH=$cni_path \
		"$cni_path/$type" <<<"$conf"
}

plugin_count() { jq '.plugins | length' "$conflist"; }

pod_ip() {
	local ip
	[[ -s $state/$1.json ]] || die "no demo pod '$1' on this node"
	ip=$(jq -r '.ips[0].address' "$state/$1.json")
	printf '%s\n' "${ip%/*}"
}

cni_del() {
	local pod=$1 prev='' k
	[[ -s $state/$pod.json ]] && prev=$(<"$state/$pod.json")
	for ((k = $(plugin_count) - 1; k >= 0; k--)); do
		run_plugin DEL "$pod" "$k" "$prev" >/dev/null
	done
}

add_pod() {
	local pod=$1 result='' k n
	[[ -e /run/netns/$pod ]] && die "namespace $pod exists: demo-pod.sh del $pod first"
	[[ -r $conflist ]] || die "cannot read $conflist (provisioned?)"
	mkdir -p "$state"
	ip netns add "$pod"
	ip -n "$pod" link set lo up
	n=$(plugin_count)
	for ((k = 0; k < n; k++)); do
		if ! result=$(run_plugin ADD "$pod" "$k" "$result"); then
			printf '%s\n' "$result" >&2
			echo "demo-pod: ADD of $pod failed; cleaning up with DEL" >&2
			cni_del "$pod" || true
			ip netns del "$pod" || true
			exit 1
		fi
	done
	printf '%s\n' "$result" >"$state/$pod.json"
	pod_ip "$pod"
}

del_pod() {
	local pod=$1
	cni_del "$pod"
	rm -f "$state/$pod.json"
	ip netns del "$pod" 2>/dev/null || true
}

list_pods() {
	local f
	for f in "$state"/*.json; do
		[[ -e $f ]] || continue
		f=${f##*/}
		printf '%s %s\n' "${f%.json}" "$(pod_ip "${f%.json}")"
	done
}

(($# >= 1)) || usage
cmd=$1
shift
case $cmd in
add | ip | del)
	(($# == 1)) || usage
	[[ $1 =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || die "pod name '$1': lower-case letters, digits and '-'"
	;;
list) (($# == 0)) || usage ;;
*) usage ;;
esac
[[ $cmd == ip || $cmd == list ]] || ((EUID == 0)) || die "run as root (sudo): it creates namespaces"
command -v jq >/dev/null || die "jq is required"

case $cmd in
add) add_pod "$1" ;;
ip) pod_ip "$1" ;;
del) del_pod "$1" ;;
list) list_pods ;;
esac
