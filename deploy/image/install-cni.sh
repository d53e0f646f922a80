#!/bin/sh
# Init step: installs the podlane CNI plugin on the host. The binary is copied
# under a temporary name and renamed, so the runtime never executes half a
# file. The network list is podlaned's to install, once it is ready
# (podlaned --cni-conflist): a runtime must not create pods before then.
set -eu

bin_dir=${CNI_BIN_DIR:-/host/opt/cni/bin}

mkdir -p "$bin_dir"
cp /usr/lib/podlane/cni/podlane "$bin_dir/.podlane.new"
chmod 0755 "$bin_dir/.podlane.new"
mv -f "$bin_dir/.podlane.new" "$bin_dir/podlane"

# loopback is needed by every pod sandbox; install ours only if none is there.
if [ ! -e "$bin_dir/loopback" ] && [ -e /usr/lib/cni/loopback ]; then
    cp /usr/lib/cni/loopback "$bin_dir/.loopback.new"
    mv -f "$bin_dir/.loopback.new" "$bin_dir/loopback"
fi
echo "installed $bin_dir/podlane"
