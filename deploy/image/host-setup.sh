#!/bin/sh
# Init step, the DaemonSet's only privileged one: what podlaned cannot do with
# its three capabilities. Mounts bpffs at /sys/fs/bpf when the host has none
# (the pinned maps keep traffic flowing while podlaned restarts) and turns on
# IPv4 forwarding (the node routes pods' packets the kernel handles), and
# IPv6 forwarding too on a dual-stack cluster (CLUSTER_CIDR_V6 set).
set -eu

bpffs=${BPFFS_DIR:-/sys/fs/bpf}
if ! awk -v dir="$bpffs" '$2 == dir && $3 == "bpf" { found = 1 } END { exit !found }' /proc/mounts; then
    mkdir -p "$bpffs"
    mount -t bpf -o mode=0700 bpf "$bpffs"
    echo "host-setup: mounted bpffs at $bpffs"
fi

forward=/proc/sys/net/ipv4/ip_forward
if [ "$(cat "$forward")" != 1 ]; then
    echo 1 > "$forward"
    echo "host-setup: net.ipv4.ip_forward=1"
fi

forward6=/proc/sys/net/ipv6/conf/all/forwarding
if [ -n "${CLUSTER_CIDR_V6:-}" ] && [ "$(cat "$forward6")" != 1 ]; then
    echo 1 > "$forward6"
    # Forwarding stops router advertisements being taken where accept_ra is 1:
    # podlaned warns about such an uplink.
    echo "host-setup: net.ipv6.conf.all.forwarding=1 (dual-stack)"
fi

# kube-proxy's Services between two pods of one node: the DNATed packet is
# routed back into the bridge, and its reply is bridged, not routed; only
# br_netfilter's bridge-nf-call-iptables lets conntrack undo the DNAT (the
# Kubernetes node prerequisite kubeadm checks).
bridge_nf=/proc/sys/net/bridge/bridge-nf-call-iptables
if [ ! -e "$bridge_nf" ]; then
    echo "host-setup: warning: br_netfilter is not loaded on this node: a pod's connection to a Service whose" \
        "backend is on the same node fails (modprobe br_netfilter on the node)"
elif [ "$(cat "$bridge_nf")" != 1 ]; then
    echo 1 > "$bridge_nf"
    echo "host-setup: net.bridge.bridge-nf-call-iptables=1"
fi
