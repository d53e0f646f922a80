#!/usr/bin/env bash
# The checks of the Vagrant lab that run without VMs (no provider, no box, no
# root, no network): tests/e2e/vagrant.cmake runs one per ctest test.
#
#   check-offline.sh validate     `vagrant validate --ignore-provider` on the Vagrantfile
#   check-offline.sh machines     check-vagrantfile.rb: 3 machines, the seed's IPs, provisioning
#   check-offline.sh shellcheck   shellcheck on vagrant's scripts (and what vagrant/lab sources)
#   check-offline.sh provision    provision-node.sh --dry-run with each machine's arguments:
#                                 the node file and conflist the lab scripts generate for it
#   check-offline.sh unit         podlaned.service: Restart=always, the command, systemd-analyze verify
#
# Exit 0: passed, 1: failed, 77: a tool is missing (ctest counts it as skipped).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
tmp=''
trap '[[ -z $tmp ]] || rm -rf "$tmp"' EXIT

need() {
	local t
	for t; do
		command -v "$t" >/dev/null || {
			echo "check-offline: $t is not installed: skipped (apt-get install $t)" >&2
			exit 77
		}
	done
}
fail() {
	echo "check-offline: FAIL: $*" >&2
	exit 1
}

check_validate() {
	need vagrant
	tmp=$(mktemp -d)
	# Vagrant writes its home and the project's .vagrant folder: keep both out
	# of the source tree; no update check over the network.
	VAGRANT_CWD=$here VAGRANT_HOME=$tmp/home VAGRANT_DOTFILE_PATH=$tmp/dotfile \
		VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_NO_COLOR=1 \
		vagrant validate --ignore-provider || fail "vagrant validate"
}

check_machines() {
	need ruby
	ruby "$here/check-vagrantfile.rb" "$here/Vagrantfile" || fail "check-vagrantfile.rb"
}

check_shellcheck() {
	need shellcheck
	(cd "$here/.." && shellcheck -x vagrant/*.sh vagrant/lab vagrant/lib/*.sh vagrant/box/customize.sh \
		vagrant/box/podlane-vm-net) || fail "shellcheck"
	echo "check-offline: shellcheck clean: $(cd "$here" && echo ./*.sh lab lib/*.sh box/customize.sh box/podlane-vm-net)"
}

# What provision-node.sh writes on node I, given the Vagrantfile's arguments
# for it (with this checkout as the repository and eth1 as the uplink).
check_provision() {
	need ruby jq
	local i name out args=()
	for i in 1 2 3; do
		name=node$i
		mapfile -t args < <(ruby "$here/check-vagrantfile.rb" "$here/Vagrantfile" --provision-args "$name") ||
			fail "no provisioner arguments for $name"
		out=$("$here/provision-node.sh" "${args[@]}" --repo "$repo" --uplink eth1 --dry-run) ||
			fail "provision-node.sh --dry-run for $name"
		jq -e -s --arg name "$name" --arg i "$i" '
			length == 2 and (.[0] as $n | .[1] as $c |
			$n.nodeName == $name and $n.nodeIP == "192.160.1.1\($i)" and $n.uplink == "eth1"
			and $n.podCIDR == "10.244.\($i).0/24" and $n.clusterCIDR == "10.244.0.0/16"
			and ($n | has("pinRoot") | not)
			and $n.nodes == [range(1; 4) | {name: "node\(.)", nodeIP: "192.160.1.1\(.)", podCIDR: "10.244.\(.).0/24"}]
			and $c.name == "podlane" and ($c.plugins | length) == 1
			and $c.plugins[0].type == "podlane" and $c.plugins[0].nodeConfig == "/etc/podlane/node.json"
			and ($c.plugins[0] | has("pinRoot") | not))' <<<"$out" >/dev/null ||
			fail "$name: unexpected node file or conflist:"$'\n'"$out"
		echo "check-offline: $name: node file and conflist as expected"
	done
}

check_unit() {
	local unit=$here/podlaned.service out
	grep -qx 'Restart=always' "$unit" || fail "$unit: no Restart=always"
	# shellcheck disable=SC2016 # the unit's literal $PODLANED_ARGS
	grep -qx 'ExecStart=/usr/local/bin/podlaned --config /etc/podlane/node.json $PODLANED_ARGS' "$unit" ||
		fail "$unit: ExecStart is not podlaned --config /etc/podlane/node.json"
	if ! command -v systemd-analyze >/dev/null; then
		echo "check-offline: systemd-analyze not installed: unit syntax not verified" >&2
		return 0
	fi
	# The binary is not installed here: verify a copy that runs /bin/true.
	# systemd-analyze exits 0 on unknown keys and bad values, so any output fails.
	tmp=$(mktemp -d)
	sed 's#^ExecStart=/usr/local/bin/podlaned #ExecStart=/bin/true #' "$unit" >"$tmp/podlaned.service"
	out=$(systemd-analyze verify "$tmp/podlaned.service" 2>&1) || fail "systemd-analyze verify: $out"
	[[ -z $out ]] || fail "systemd-analyze verify: $out"
	echo "check-offline: podlaned.service verified"
}

case ${1-} in
validate) check_validate ;;
machines) check_machines ;;
shellcheck) check_shellcheck ;;
provision) check_provision ;;
unit) check_unit ;;
*)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
