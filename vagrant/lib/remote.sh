# shellcheck shell=bash
# The VM lab's nodes, as the namespace lab's shared code sees them: the lab's
# matrix, Services and policy code (lab/lib/*.sh) runs every command through
# in_ns NS CMD...; here a node's "namespace" pl-nodeN is VM nodeN reached by
# ssh, a pod pl-nodeN-podM is a network namespace inside that VM, and the
# outside host is a namespace on the VMs' network on this machine.

# Used by vagrant/lab:
# shellcheck disable=SC2034
VM_SSH_USER=vagrant
VM_PODS_PER_NODE=2

# The VMs' uplink (eth0 is Vagrant's management NIC).
node_uplink() { printf 'eth1'; }

# vm_ssh I CMD...: CMD as root on VM node I, its words quoted for the remote
# shell, over one ssh connection per VM (ControlMaster). A new ssh session
# costs seconds under TCG (key exchange, PAM, sudo): the matrix's hundreds
# of commands go through vm_sessions_open's shells instead.
vm_ssh() {
	local i=$1
	shift
	if [[ -n ${VM_SESSION_IN[$i]-} ]]; then
		vm_session_run "$i" "$@"
		return
	fi
	mkdir -p "$LAB_STATE/ssh"
	ip netns exec "$VM_NS" ssh -q -i "$VM_KEY" -l "$VM_SSH_USER" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o BatchMode=yes -o ConnectTimeout=10 \
		-o ControlMaster=auto -o ControlPath="$LAB_STATE/ssh/node$i" -o ControlPersist=30m \
		"$(node_ip "$i")" -- sudo "$(printf '%q ' "$@")"
}

# One root shell per VM, kept open for the life of this lab command: a
# command costs a fork in the VM, not a login. Opened by the main shell
# (the descriptors must outlive the subshells that use them).
declare -A VM_SESSION_IN=() VM_SESSION_OUT=()
vm_sessions_open() {
	local i dir=$LAB_STATE/sessions fd_in fd_out
	mkdir -p "$dir"
	for i in "$@"; do
		rm -f "$dir/node$i.in" "$dir/node$i.out"
		mkfifo "$dir/node$i.in" "$dir/node$i.out"
		vm_ssh "$i" bash <"$dir/node$i.in" >"$dir/node$i.out" &
		exec {fd_in}>"$dir/node$i.in" {fd_out}<"$dir/node$i.out"
		VM_SESSION_IN[$i]=$fd_in
		VM_SESSION_OUT[$i]=$fd_out
	done
}

# Commands of the shared code that read stdin (the rest get /dev/null, so
# they cannot eat the session's own input).
VM_STDIN_COMMANDS=" iptables-restore "

# The command's stdout, then "\n__pl_rc=N", then its stderr lines prefixed
# "__pl_err:" and "__pl_done": stderr goes to this side's stderr, so a
# caller's 2>/dev/null works as it does for a local command.
vm_session_run() {
	local i=$1 cmd line rc=''
	shift
	local fd_in=${VM_SESSION_IN[$i]} fd_out=${VM_SESSION_OUT[$i]}
	local -a lines=()
	cmd="$(printf '%q ' "$@")2>/run/pl-session-err.\$\$"
	if [[ $VM_STDIN_COMMANDS == *" $1 "* ]]; then
		{
			printf '%s <<'"'"'__PL_STDIN__'"'"'\n' "$cmd"
			cat
			printf '\n__PL_STDIN__\n'
		} >&"$fd_in"
	else
		printf '%s </dev/null\n' "$cmd" >&"$fd_in"
	fi
	# shellcheck disable=SC2016 # expanded by the remote shell
	printf '%s\n' 'printf "\n__pl_rc=%s\n" $?; sed "s/^/__pl_err:/" /run/pl-session-err.$$; echo __pl_done' >&"$fd_in"
	while IFS= read -r -t 300 -u "$fd_out" line; do
		if [[ $line == __pl_rc=* ]]; then
			rc=${line#__pl_rc=}
			break
		fi
		lines+=("$line")
	done
	[[ -n $rc ]] || die "lost the shell on $(node_name "$i") (or a command ran for 300 s)"
	while IFS= read -r -t 30 -u "$fd_out" line && [[ $line != __pl_done ]]; do
		printf '%s\n' "${line#__pl_err:}" >&2
	done
	# The newline the end marker starts with.
	if ((${#lines[@]})) && [[ -z ${lines[-1]} ]]; then unset 'lines[-1]'; fi
	((${#lines[@]} == 0)) || printf '%s\n' "${lines[@]}"
	return "$rc"
}

# The commands the shared code names with bin(): installed in the VMs'
# PATH by provision-node.sh; the outside host (here) runs the staged build.
bin() { printf '%s' "$1"; }
local_bin() {
	case $1 in
	pl-tcp-probe) printf '%s/tests/tools/pl-tcp-probe' "$VM_STAGE" ;;
	*) printf '%s' "$1" ;;
	esac
}

in_ns() {
	local ns=$1
	shift
	if [[ $ns =~ ^pl-node([0-9]+)$ ]]; then
		vm_ssh "${BASH_REMATCH[1]}" "$@"
	elif [[ $ns =~ ^pl-node([0-9]+)-pod[0-9]+$ ]]; then
		vm_ssh "${BASH_REMATCH[1]}" ip netns exec "$ns" "$@"
	else
		local cmd
		cmd=$(local_bin "$1")
		shift
		pl_in_ns "$ns" "$cmd" "$@"
	fi
}

ns_exists() {
	[[ $1 =~ ^pl-node[0-9]+(-pod[0-9]+)?$ ]] && return 0
	[[ $1 == "$LAB_ROUTER_NS" ]] && return 1
	pl_ns_exists "$1"
}

# Counters of VM node I's dataplane as "reason packets" lines.
node_stats() {
	local ns=$1
	in_ns "$ns" podlanectl --node "$2" stats -o json 2>/dev/null |
		jq -r '[.. | objects | select(has("packets") and (has("name") or has("reason")))]
		       | .[] | "\(.name // .reason) \(.packets)"' 2>/dev/null || true
}

# add_vm_pod I J: pod J on VM node I, wired by the CNI plugin as a runtime
# does (demo-pod.sh), with the probe server the matrix talks to.
add_vm_pod() {
	local i=$1 j=$2 pod ip
	pod=$(pod_ns "$i" "$j")
	ip=$(vm_ssh "$i" /podlane/vagrant/demo-pod.sh add "$pod") || die "CNI ADD of $pod on $(node_name "$i") failed"
	[[ $ip =~ ^[0-9.]+$ ]] || die "CNI ADD of $pod returned no address: $ip"
	mkdir -p "$LAB_STATE/pods"
	printf '%s %s\n' "$i" "$ip" >"$LAB_STATE/pods/$pod"
	vm_ssh "$i" systemd-run --quiet --unit "pl-probe-$pod" --collect \
		ip netns exec "$pod" pl-tcp-probe serve --port "$LAB_TCP_PORT" --udp-port "$LAB_UDP_PORT" --name "$pod" ||
		die "could not start the probe server in $pod"
}
