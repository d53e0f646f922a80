#!/usr/bin/env bash
# mmdebstrap's customize hook for the podlane box: runs on the host with the
# image's root as $1, after the packages are installed.
#   customize.sh ROOT PUBKEY_FILE
set -euo pipefail
root=$1 pubkey=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
in_root() { chroot "$root" "$@"; }

# The disk is one ext4 file system on the whole device (no partition table,
# no boot loader): the kernel is booted directly, by libvirt or QEMU.
printf '/dev/vda / ext4 defaults,errors=remount-ro 0 1\n' >"$root/etc/fstab"
printf 'podlane-vm\n' >"$root/etc/hostname"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"

# Vagrant's user: passwordless sudo, the machine's own key (made by
# build-box.sh on this machine, never one from the repository).
in_root useradd --create-home --shell /bin/bash vagrant
printf 'vagrant ALL=(ALL) NOPASSWD:ALL\n' >"$root/etc/sudoers.d/vagrant"
chmod 0440 "$root/etc/sudoers.d/vagrant"
install -d -m 0700 -o 1000 -g 1000 "$root/home/vagrant/.ssh"
install -m 0600 -o 1000 -g 1000 "$pubkey" "$root/home/vagrant/.ssh/authorized_keys"
printf 'UseDNS no\nPasswordAuthentication no\nHostKey /etc/ssh/ssh_host_ed25519_key\n' >"$root/etc/ssh/sshd_config.d/podlane.conf"

# Network: eth0 (net.ifnames=0 on the command line). Vagrant's management
# NIC asks DHCP; the lab's own boot (vagrant/vm/) names the address on the
# kernel command line instead: podlane.ip=ADDR/LEN podlane.hostname=NAME.
cat >"$root/etc/network/interfaces" <<'IFACES'
auto lo
iface lo inet loopback
source /etc/network/interfaces.d/*
IFACES
install -m 0755 "$here/podlane-vm-net" "$root/usr/local/sbin/podlane-vm-net"
install -m 0644 "$here/podlane-vm-net.service" "$root/etc/systemd/system/podlane-vm-net.service"
in_root systemctl enable podlane-vm-net.service ssh.service >/dev/null 2>&1
# Faster, quieter boots under TCG: no timers, no waiting for a network that
# is configured by us.
in_root systemctl mask apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
	fstrim.timer e2scrub_reap.service systemd-networkd-wait-online.service >/dev/null 2>&1 || true
# The lab's pods and podlaned.
install -d "$root/opt/cni/bin" "$root/etc/cni/net.d" "$root/etc/podlane"
printf 'bpffs /sys/fs/bpf bpf defaults 0 0\n' >>"$root/etc/fstab"
# Host keys are made at first boot (ssh-keygen -A in podlane-vm-net), so
# VMs from one box do not share them.
rm -f "$root"/etc/ssh/ssh_host_*
