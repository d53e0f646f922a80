#!/bin/sh
# Init step: writes /etc/podlane/node.json for podlaned and the CNI plugin.
# Name and IP come from the downward API, the uplink is the interface that
# holds the node IP (host network), and podlane-resolve-node adds the pod
# CIDR the controller manager allocated in the Node object. Dual-stack: with
# CLUSTER_CIDR_V6 set (the controller manager's IPv6 --cluster-cidr), the
# node file also names the node's IPv6 address (NODE_IP6, or the uplink's
# first stable global IPv6 address) and the Node's IPv6 pod CIDR is added.
set -eu

: "${NODE_NAME:?set NODE_NAME (downward API spec.nodeName)}"
: "${NODE_IP:?set NODE_IP (downward API status.hostIP)}"
cluster_cidr=${CLUSTER_CIDR:-10.244.0.0/16}
out_dir=${NODE_FILE_DIR:-/etc/podlane}

uplink=$(ip -o -4 addr show | awk -v ip="$NODE_IP" '{ split($4, a, "/"); if (a[1] == ip) { print $2; exit } }')
if [ -z "$uplink" ]; then
    echo "node-config: no interface holds the node IP $NODE_IP (is hostNetwork set?)" >&2
    exit 1
fi

ipv6_fields=''
if [ -n "${CLUSTER_CIDR_V6:-}" ]; then
    node_ip6=${NODE_IP6:-$(ip -o -6 addr show dev "$uplink" scope global |
        awk '!/temporary|deprecated|tentative/ { split($4, a, "/"); print a[1]; exit }')}
    if [ -z "$node_ip6" ]; then
        echo "node-config: CLUSTER_CIDR_V6 is set but $uplink has no stable global IPv6 address; set NODE_IP6" >&2
        exit 1
    fi
    ipv6_fields=$(printf ', "nodeIPv6": "%s", "clusterCIDRv6": "%s"' "$node_ip6" "$CLUSTER_CIDR_V6")
fi

mkdir -p "$out_dir"
base="$out_dir/node-base.json"
printf '{"nodeName": "%s", "nodeIP": "%s", "uplink": "%s", "clusterCIDR": "%s"%s}\n' \
    "$NODE_NAME" "$NODE_IP" "$uplink" "$cluster_cidr" "$ipv6_fields" > "$base.new"
mv -f "$base.new" "$base"

exec /usr/sbin/podlane-resolve-node --config "$base" --out "$out_dir/node.json" \
    --datastore kubernetes --datastore-timeout 300
