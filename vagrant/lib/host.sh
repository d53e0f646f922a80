# shellcheck shell=bash
# What the VM lab runs on this machine: a network namespace holding every
# bridge, tap and address of the VMs' networks, and the libvirt daemons
# (libvirtd, virtlogd) started inside it, recorded by PID. Nothing is added
# to the machine's own network namespace.

VM_NS=pl-vm
VM_EXT_IP=192.160.1.100

# libvirt's own socket: another libvirtd already serving it is not ours to
# use or stop (its networks would live in the machine's namespace).
foreign_libvirtd() {
	local pid
	[[ -S /run/libvirt/libvirt-sock ]] || return 1
	pid=$(recorded_pid_alive libvirtd || true)
	[[ -z $pid ]] && virsh -c qemu:///system version >/dev/null 2>&1
}

start_daemons() {
	pl_ns_add "$VM_NS"
	if [[ -z $(recorded_pid_alive virtlogd) ]]; then
		lab_spawn virtlogd "$VM_NS" "$LAB_STATE/logs/virtlogd.log" virtlogd >/dev/null
	fi
	if [[ -z $(recorded_pid_alive libvirtd) ]]; then
		# ip netns exec (it execs, so the PID stays): libvirt reads the bridges it makes in /sys.
		lab_spawn libvirtd "$VM_NS" "$LAB_STATE/logs/libvirtd.log" ip netns exec "$VM_NS" libvirtd >/dev/null
	fi
	local _
	for _ in $(seq 1 60); do
		virsh -c qemu:///system version >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	die "libvirtd did not answer within 30 s ($LAB_STATE/logs/libvirtd.log)"
}

stop_daemons() {
	lab_kill libvirtd TERM
	lab_kill virtlogd TERM
}

# kvm or qemu (TCG): KVM only when a guest really runs under it (here
# /dev/kvm exists but a guest fails with "KVM internal error"): the box's
# kernel must print its banner within 20 s.
probe_accel() {
	local box=$1 out
	[[ -w /dev/kvm ]] || {
		printf 'qemu'
		return
	}
	out=$(timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nographic -no-reboot -net none \
		-kernel "$box/vmlinuz" -append "console=ttyS0 panic=-1" 2>&1 || true)
	if grep -q 'Linux version' <<<"$out"; then printf 'kvm'; else printf 'qemu'; fi
}

# The outside host of the Services block: a namespace with a veth into the
# VMs' private network (the libvirt bridge holding 192.160.1.1).
create_vm_outside_host() {
	local bridge
	bridge=$(ip -n "$VM_NS" -o -4 addr show to "$LAB_SEG_PREFIX.1/32" | awk '{print $2; exit}')
	[[ -n $bridge ]] || die "no bridge holds $LAB_SEG_PREFIX.1 in $VM_NS (did vagrant up create the network?)"
	pl_ns_add "$LAB_EXT_NS"
	ip link add vmext0 netns "$VM_NS" type veth peer name eth0 netns "$LAB_EXT_NS"
	ip -n "$VM_NS" link set vmext0 master "$bridge" up
	ip -n "$LAB_EXT_NS" addr add "$VM_EXT_IP/24" dev eth0
	ip -n "$LAB_EXT_NS" link set eth0 up
	ip -n "$LAB_EXT_NS" link set lo up
}
