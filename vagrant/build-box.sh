#!/usr/bin/env bash
# Builds the podlane lab's VM image offline, from Debian 12 packages only
# (mmdebstrap), and adds it to Vagrant as the libvirt box "podlane/bookworm".
#
#   vagrant/build-box.sh [--force]        prints the cache directory
#
# The image: Debian 12 minbase, the cloud kernel (6.1, booted directly: the
# disk is one ext4 file system, no boot loader), systemd, openssh, the
# libraries podlane's binaries link and the tools the lab's matrix runs.
# A user "vagrant" (passwordless sudo) has a key made on this machine
# ($cache/vagrant_key); no key is ever taken from the repository.
#
# Cached in $PODLANE_VM_CACHE (default /var/cache/podlane-vm): a second run
# with the same recipe (this script, box/, the package list) reuses it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${PODLANE_VM_CACHE:-/var/cache/podlane-vm}
force=0
[[ ${1-} == --force ]] && force=1

# What runs in the VM: podlaned/podlanectl/the plugin (libbpf, libnl, libelf,
# zlib, libstdc++; libcurl and yaml-cpp for the datastore module), the lab's
# probes (ping, iptables, conntrack, jq, ethtool), Vagrant's needs (sudo,
# ifupdown and a DHCP client, rsync).
packages=(
	systemd-sysv udev dbus kmod iproute2 ifupdown isc-dhcp-client openssh-server sudo rsync
	linux-image-cloud-amd64 initramfs-tools
	libbpf1 libnl-3-200 libnl-route-3-200 libelf1 zlib1g libstdc++6 libcurl4 libyaml-cpp0.7
	iputils-ping iptables conntrack jq ethtool procps less
)

log() { printf '[build-box] %s\n' "$*" >&2; }
die() {
	printf '[build-box] error: %s\n' "$*" >&2
	exit 1
}
((EUID == 0)) || die "run as root (mmdebstrap builds the root file system as root)"
for tool in mmdebstrap mke2fs qemu-img ssh-keygen sha256sum; do
	command -v "$tool" >/dev/null || die "$tool is missing (bash .ci/install-deps installs it)"
done

recipe=$( (
	cat "${BASH_SOURCE[0]}" "$here"/box/*
	printf '%s\n' "${packages[@]}"
) | sha256sum | cut -c1-16)
box_dir=$cache/box-$recipe
mkdir -p "$cache"
# Readable by libvirt's qemu user (it opens the box's kernel); the key stays 0600.
chmod 0755 "$cache"
key=$cache/vagrant_key
[[ -f $key ]] || ssh-keygen -q -t ed25519 -N '' -C "podlane-lab@$(hostname)" -f "$key"

if ((force == 0)) && [[ -f $box_dir/done ]]; then
	log "cached: $box_dir"
	printf '%s\n' "$box_dir"
	exit 0
fi

work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
mirror=http://deb.debian.org/debian
[[ -f /etc/apt/sources.list.d/debian.sources ]] && mirror=/etc/apt/sources.list.d/debian.sources
log "mmdebstrap bookworm ($mirror)"
mmdebstrap --quiet --variant=minbase --include="$(
	IFS=,
	echo "${packages[*]}"
)" \
	--customize-hook="$here/box/customize.sh \"\$1\" $key.pub" \
	bookworm "$work/root" "$mirror"

mkdir -p "$work/box"
vmlinuz=$(compgen -G "$work/root/boot/vmlinuz-*" | head -n 1)
initrd=$(compgen -G "$work/root/boot/initrd.img-*" | head -n 1)
[[ -n $vmlinuz && -n $initrd ]] || die "the image has no kernel or initrd in /boot"
cp "$vmlinuz" "$work/box/vmlinuz"
cp "$initrd" "$work/box/initrd.img"
log "ext4 image ($(du -sh "$work/root" | cut -f1) of files)"
truncate -s 4G "$work/root.raw"
mke2fs -q -t ext4 -L podlane-root -d "$work/root" "$work/root.raw"
qemu-img convert -O qcow2 "$work/root.raw" "$work/box/box.img"
rm -f "$work/root.raw"
rm -rf "$work/root"
printf '{"provider":"libvirt","format":"qcow2","virtual_size":4}\n' >"$work/box/metadata.json"
# The box boots its own kernel: direct kernel boot from the box's folder.
cat >"$work/box/Vagrantfile" <<'VF'
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |lv|
    box = File.dirname(__FILE__)
    lv.kernel = File.join(box, "vmlinuz")
    lv.initrd = File.join(box, "initrd.img")
    lv.cmd_line = "root=/dev/vda rw console=ttyS0 net.ifnames=0 biosdevname=0 quiet"
    lv.disk_bus = "virtio"
  end
end
VF
rm -rf "$box_dir"
mv "$work/box" "$box_dir"
touch "$box_dir/done"
# Boxes of older recipes are of no further use.
find "$cache" -mindepth 1 -maxdepth 1 -name 'box-*' ! -name "box-$recipe" -exec rm -rf {} +
log "built $box_dir in $(($(date +%s) - start)) s"
printf '%s\n' "$box_dir"
