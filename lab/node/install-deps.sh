#!/usr/bin/env bash
# Install the Debian packages listed in .ci/packages that are missing. Used by
# the namespace lab (`podlane-lab up` on a fresh machine) and by the Vagrant
# provisioning. --no-install-recommends: vagrant's recommends alone pull in
# libvirt and a kernel image.
#
#   install-deps.sh [REPO_DIR]
set -euo pipefail

repo=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
list=$repo/.ci/packages
[[ -r $list ]] || {
	echo "install-deps: cannot read $list" >&2
	exit 1
}

missing=()
while read -r pkg; do
	pkg=${pkg%%#*}
	pkg=${pkg//[[:space:]]/}
	[[ -n $pkg ]] || continue
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[[ $status == installed ]] || missing+=("$pkg")
done <"$list"

if ((${#missing[@]} == 0)); then
	exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
