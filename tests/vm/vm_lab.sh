#!/usr/bin/env bash
# ctest label vm: the three-node lab on real VMs (vagrant/lab), end to end.
# up boots three Debian 12 VMs under Vagrant + libvirt and runs the matrix:
# every pod x pod, node x pod, Services and Policy cell must pass, with
# native XDP on each VM's virtio-net uplink and Debian's 6.1 kernel. down
# must then leave the machine's network namespace, its processes and
# libvirt's disks as they were. Exit 77 (skipped) without root or the tools.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lab=$repo/vagrant/lab
out=$(mktemp -d)

skip() {
	echo "SKIP: $*"
	exit 77
}
((EUID == 0)) || skip "needs root (namespaces, libvirtd)"
for tool in vagrant virsh libvirtd virtlogd qemu-system-x86_64 mmdebstrap mke2fs qemu-img dnsmasq; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (bash .ci/install-deps)"
done
vagrant plugin list 2>/dev/null | grep -q vagrant-libvirt || skip "vagrant-libvirt is not installed"

# What must be the same after down: the machine's own namespace and what runs.
snapshot() {
	{
		ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
		ip -o addr show | awk '{print $2, $3, $4}' | sort
		ip route show table all | sort
		ip netns list | awk '{print $1}' | sort
		ps -e -o comm= | grep -x -E 'libvirtd|virtlogd|dnsmasq|qemu-system-x86' | sort || true
		find /var/lib/libvirt/images -maxdepth 1 -name '*.img' 2>/dev/null | sort
	} >"$1"
}

fail() {
	echo "FAIL: $*"
	exit 1
}
cleanup() {
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$out"
}
trap cleanup EXIT

snapshot "$out/before"
"$lab" down >/dev/null 2>&1 || true
start=$(date +%s)
rc=0
"$lab" up 2>&1 | tee "$out/up.log" || rc=$?
up_seconds=$(($(date +%s) - start))
((rc == 0)) || fail "vagrant/lab up failed (exit $rc)"

grep -q '^MATRIX: all [0-9]* cells passed' "$out/up.log" || fail "the pod matrix did not pass"
grep -q '^SERVICES: all [0-9]* cells passed' "$out/up.log" || fail "the Services block did not pass"
grep -q '^POLICY: all [0-9]* cells passed' "$out/up.log" || fail "the Policy block did not pass"
# Cross-VM cells went through BPF: the sender's redirect and the delivery.
grep -q 'ok:RL' "$out/up.log" || fail "no matrix cell took the BPF path (RL)"
for i in 1 2 3; do
	line=$(grep "^node$i 192.160.1.1$i " "$out/up.log") || fail "status has no line for node$i"
	[[ $line == *"kernel 6.1."* ]] || fail "node$i does not run Debian 12's 6.1 kernel: $line"
	[[ $line == *"native XDP (prog "* ]] || fail "node$i's uplink has no native XDP program: $line"
done

start=$(date +%s)
"$lab" down 2>&1 | tee "$out/down.log"
down_seconds=$(($(date +%s) - start))
snapshot "$out/after"
diff -u "$out/before" "$out/after" || fail "down left something behind (diff above: - before, + after)"
[[ ! -e /run/podlane-vmlab ]] || fail "down left /run/podlane-vmlab"
echo "ok: up (box, VMs, matrix) ${up_seconds}s, down ${down_seconds}s"
