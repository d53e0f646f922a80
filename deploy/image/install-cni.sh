#!/bin/sh
# Init step: installs the podlane CNI plugin and its network list on the
# host. The binary is copied under a temporary name and renamed, so the
# runtime never executes half a file.
set -eu

bin_dir=${CNI_BIN_DIR:-/host/opt/cni/bin}
net_dir=${CNI_NET_DIR:-/host/etc/cni/net.d}
conflist=${PODLANE_CONFLIST:-/etc/podlane-config/10-podlane.conflist}

mkdir -p "$bin_dir" "$net_dir"
cp /usr/lib/podlane/cni/podlane "$bin_dir/.podlane.new"
chmod 0755 "$bin_dir/.podlane.new"
mv -f "$bin_dir/.podlane.new" "$bin_dir/podlane"

# loopback is needed by every pod sandbox; install ours only if none is there.
if [ ! -e "$bin_dir/loopback" ] && [ -e /usr/lib/cni/loopback ]; then
    cp /usr/lib/cni/loopback "$bin_dir/.loopback.new"
    mv -f "$bin_dir/.loopback.new" "$bin_dir/loopback"
fi

cp "$conflist" "$net_dir/.10-podlane.conflist.new"
mv -f "$net_dir/.10-podlane.conflist.new" "$net_dir/10-podlane.conflist"
echo "installed $bin_dir/podlane and $net_dir/10-podlane.conflist"
