#!/usr/bin/env bash
# Provision one podlane node VM (run by the Vagrantfile as root; safe to rerun:
# `vagrant provision` rebuilds, reinstalls and restarts podlaned, which adopts
# the pinned dataplane, so pod traffic keeps flowing).
#
#   provision-node.sh --repo /podlane --name node1 --ip 192.160.1.11 \
#       --pod-cidr 10.244.1.0/24 --node node1,192.160.1.11,10.244.1.0/24 --node ... \
#       [--build-dir /var/lib/podlane/build | --prebuilt DIR] [--uplink IFACE] [--dry-run]
#
# Every step is one of the namespace lab's node scripts (lab/node/): the
# Debian packages in .ci/packages, the build, the node file, the conflist.
# The uplink is the interface that holds --ip (the private network's NIC),
# unless --uplink names it. PODLANE_UPLINK_HOOK (auto|tc|xdp) is passed to
# podlaned as --uplink-hook.
#
# --prebuilt DIR: the binaries were built on the host (vagrant/lab stages
# them in DIR with the build tree's layout); no packages, no build here.
# PODLANE_READY_TIMEOUT (seconds, default 30): how long to wait for podlaned.
#
# --dry-run: no root, nothing installed or built; print the node file and the
# conflist this node would get, as two JSON documents (the offline test uses it).
set -euo pipefail

usage() {
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

repo='' name='' ip='' pod_cidr='' uplink='' dry_run=0 prebuilt=''
ready_timeout=${PODLANE_READY_TIMEOUT:-30}
build_dir=/var/lib/podlane/build
cluster=()
while (($#)); do
	case $1 in
	--dry-run)
		dry_run=1
		shift
		continue
		;;
	-h | --help) usage ;;
	esac
	(($# >= 2)) || {
		echo "provision-node: $1 needs a value" >&2
		usage
	}
	case $1 in
	--repo) repo=$2 ;;
	--name) name=$2 ;;
	--ip) ip=$2 ;;
	--pod-cidr) pod_cidr=$2 ;;
	--node) cluster+=(--node "$2") ;;
	--build-dir) build_dir=$2 ;;
	--uplink) uplink=$2 ;;
	--prebuilt) prebuilt=$2 ;;
	*)
		echo "provision-node: unknown option '$1'" >&2
		usage
		;;
	esac
	shift 2
done
repo=${repo:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
[[ -n $name && -n $ip && -n $pod_cidr && ${#cluster[@]} -gt 0 ]] || {
	echo "provision-node: --name, --ip, --pod-cidr and at least one --node are required" >&2
	usage
}
hook=${PODLANE_UPLINK_HOOK:-auto}
case $hook in
auto | tc | xdp) ;;
*)
	echo "provision-node: PODLANE_UPLINK_HOOK='$hook': want auto, tc or xdp" >&2
	exit 2
	;;
esac

node_dir=$repo/lab/node
node_file=/etc/podlane/node.json
conflist=/etc/cni/net.d/10-podlane.conflist
unit=/etc/systemd/system/podlaned.service

log() { echo "provision-node[$name]: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# The interface holding IP: the VM's NIC on the private network. Its name
# depends on the provider (eth1 on libvirt, enp0s8 on VirtualBox).
uplink_for_ip() {
	local dev
	dev=$(ip -o -4 addr show to "$1/32" | awk '{print $2; exit}')
	[[ -n $dev ]] || die "no interface holds $1 (is the private network up? ip -4 addr)"
	printf '%s\n' "$dev"
}

# write_file PATH MODE: stdin to PATH by rename, so podlaned (which watches
# /etc/podlane) and a runtime never read half a file.
write_file() {
	local path=$1 mode=$2 tmp
	mkdir -p "$(dirname "$path")"
	tmp=$(mktemp "$path.XXXXXX")
	cat >"$tmp"
	chmod "$mode" "$tmp"
	mv -f "$tmp" "$path"
}

# install_exe SRC DEST: by rename too (the running podlaned, a runtime
# executing the plugin).
install_exe() {
	[[ -x $1 ]] || die "$1 was not built"
	write_file "$2" 0755 <"$1"
}

gen_node_config() {
	"$node_dir/gen-node-config.sh" --name "$name" --ip "$ip" --pod-cidr "$pod_cidr" \
		--uplink "$uplink" "${cluster[@]}"
}

# No --pin-root: the plugin takes the agent's pin directory from the node file.
gen_conflist() { "$node_dir/gen-conflist.sh" --node-config "$node_file"; }

[[ -x $node_dir/gen-node-config.sh ]] || die "$node_dir/gen-node-config.sh not found: is the repository synced to $repo?"
uplink=${uplink:-$(uplink_for_ip "$ip")}

if ((dry_run)); then
	gen_node_config
	gen_conflist
	exit 0
fi

((EUID == 0)) || die "run as root (vagrant provision does)"

if [[ -n $prebuilt ]]; then
	log "binaries built on the host: $prebuilt"
	build_dir=$prebuilt
else
	log "packages (.ci/packages)"
	"$node_dir/install-deps.sh" "$repo"

	log "building podlaned, podlanectl and the CNI plugin in $build_dir"
	"$node_dir/build.sh" --build-dir "$build_dir" --source-dir "$repo" podlaned podlanectl podlane_cni \
		podlane_datastore_module
fi

# What every Kubernetes node is set up with (kubeadm checks both): without
# br_netfilter, a pod's connection to a Service whose backend sits on the
# same node fails (the reply is bridged past conntrack's un-DNAT).
log "kernel: br_netfilter, bridge-nf-call-iptables=1, ip_forward=1 (also at boot)"
printf 'br_netfilter\n' | write_file /etc/modules-load.d/podlane.conf 0644
printf 'net.bridge.bridge-nf-call-iptables = 1\nnet.ipv4.ip_forward = 1\n' |
	write_file /etc/sysctl.d/90-podlane.conf 0644
modprobe br_netfilter
sysctl -q -p /etc/sysctl.d/90-podlane.conf

log "node file $node_file (uplink $uplink)"
gen_node_config | write_file "$node_file" 0644
log "conflist $conflist"
gen_conflist | write_file "$conflist" 0644

log "installing binaries"
install_exe "$build_dir/cni/podlane" /opt/cni/bin/podlane
install_exe "$build_dir/loader/podlaned" /usr/local/bin/podlaned
# Loaded by podlaned only with --datastore etcd|kubernetes; this is where it looks.
mkdir -p /usr/local/lib/podlane
install_exe "$build_dir/loader/datastore/libpodlane-datastore.so" /usr/local/lib/podlane/libpodlane-datastore.so
install_exe "$build_dir/maps-cli/podlanectl" /usr/local/bin/podlanectl
# The lab's TCP/UDP probe and echo server, for its matrix (vagrant/lab).
if [[ -x $build_dir/tests/tools/pl-tcp-probe ]]; then
	install_exe "$build_dir/tests/tools/pl-tcp-probe" /usr/local/bin/pl-tcp-probe
fi

log "systemd unit podlaned.service (--uplink-hook $hook)"
write_file "$unit" 0644 <"$repo/vagrant/podlaned.service"
printf 'PODLANED_ARGS="--uplink-hook %s"\n' "$hook" | write_file /etc/default/podlaned 0644
systemctl daemon-reload
systemctl enable podlaned.service
# A restart keeps pod traffic flowing: on SIGTERM podlaned leaves the
# programs attached and the maps pinned, and the new process adopts them.
since=$(date +%s)
systemctl restart podlaned.service

for _ in $(seq 1 "$ready_timeout"); do
	journal=$(journalctl -u podlaned.service --since "@$since" -o cat --no-pager 2>/dev/null || true)
	if grep -q 'podlaned: ready$' <<<"$journal"; then
		log "podlaned is ready; routes:"
		podlanectl --node "$name" routes list
		exit 0
	fi
	sleep 1
done
journalctl -u podlaned.service -n 30 --no-pager >&2 || true
die "podlaned did not become ready within $ready_timeout s (systemctl status podlaned)"
