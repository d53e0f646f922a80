#!/usr/bin/env bash
# Runs the BPF tiers' program tests inside a VM booted with Debian 12's own
# kernel (6.1, the one most users run), so what podlane's programs need (the
# verifier, the conntrack kfuncs in the nf_conntrack module's BTF, CO-RE on
# module types) is proven there too, not only on this machine's kernel.
#
#   bpf_tests_on_debian_kernel.sh BUILD_DIR [TEST_BINARY...]
#
# The kernel comes from Debian's archive (linux-image-cloud-amd64), the VM is
# QEMU with TCG (no KVM needed), its root is an initramfs holding busybox, the
# test binaries with their libraries, the conntrack tool and the kernel
# modules they need. No network device: the VM reaches nothing. Exit 77
# (skipped) when the kernel package or QEMU cannot be had.
set -euo pipefail

build=$(readlink -m "${1:?build dir}")
shift
tests=("$@")
((${#tests[@]})) || tests=(bpf_kernel_features bpf_netfilter_compat bpf_programs bpf_programs6 bpf_monitor)
cache=$build/debian-kernel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

skip() { echo "SKIP: $*"; exit 77; }
for tool in qemu-system-x86_64 cpio busybox conntrack apt-get dpkg-deb; do
    command -v "$tool" > /dev/null || skip "$tool is not installed (.ci/packages lists it)"
done
for t in "${tests[@]}"; do [[ -x $build/tests/$t ]] || skip "$build/tests/$t is not built"; done

# The kernel: the package the cloud-kernel metapackage points at, cached in
# the build directory.
if ! compgen -G "$cache/root/boot/vmlinuz-*" > /dev/null; then
    mkdir -p "$cache"
    pkg=$(apt-cache depends linux-image-cloud-amd64 2> /dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
    [[ -n $pkg ]] || skip "apt knows no linux-image-cloud-amd64 (run apt-get update)"
    (cd "$cache" && apt-get download "$pkg" > /dev/null 2>&1) ||
        (apt-get update -qq > /dev/null 2>&1 && cd "$cache" && apt-get download "$pkg" > /dev/null 2>&1) ||
        skip "cannot download $pkg from the Debian archive"
    dpkg-deb -x "$cache"/"$pkg"_*.deb "$cache/root"
fi
vmlinuz=$(compgen -G "$cache/root/boot/vmlinuz-*" | head -n 1)
kver=${vmlinuz##*/vmlinuz-}
moddir=$cache/root/lib/modules/$kver

# The root file system.
ir=$work/root
mkdir -p "$ir"/{bin,mods,proc,sys,dev,tmp,t}
cp "$(command -v busybox)" "$ir/bin/busybox"
# In load order: what conntrack (and its NAT, for DNAT entries) and the test
# node's veths need. Built-in ones are simply absent here.
modules=(libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack nf_nat nfnetlink nf_conntrack_netlink veth)
for m in "${modules[@]}"; do
    f=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" | head -n 1)
    [[ -n $f ]] && cp "$f" "$ir/mods/"
done
copy_with_libs() {
    cp "$1" "$ir/t/"
    local lib
    for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
        mkdir -p "$ir$(dirname "$lib")"
        cp -n "$lib" "$ir$lib"
    done
}
for t in "${tests[@]}"; do copy_with_libs "$build/tests/$t"; done
copy_with_libs "$(command -v conntrack)"
cat > "$ir/init" << INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t bpf bpf /sys/fs/bpf; mount -t tmpfs tmpfs /tmp
for m in ${modules[*]}; do [ -e /mods/\$m.ko ] && insmod /mods/\$m.ko; done
ip link set lo up
export PATH=/t:/bin
echo "kernel: \$(uname -r)"
rc=0
for t in ${tests[*]}; do
    /t/\$t || rc=1
done
echo "vm-tests-exit: \$rc"
poweroff -f
INIT
chmod +x "$ir/init"
(cd "$ir" && find . | cpio -o -H newc 2> /dev/null | gzip -1 > "$work/initrd.gz")

log=$work/console.log
timeout 900 qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot -net none \
    -kernel "$vmlinuz" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1" > "$log" 2>&1 || true
sed -n '/^kernel: /,$p' "$log" | tr -d '\r'
grep -q "vm-tests-exit: 0" "$log" || { echo "FAIL: the tests failed on Debian's $kver (or the VM did not finish)"; exit 1; }
echo "ok: ${tests[*]} pass on Debian's $kver"
