#!/bin/sh
# Two containers through podman's CNI backend on a `podlane` network, run by
# test_cni_podman inside a node namespace under catatonit (the subreaper that
# reaps conmon). Everything podman keeps lives under $T; prints KEY=VALUE
# lines the test checks.
#   podman_scenario.sh T NETWORK
set -u
T=$1
NET=$2
P="podman --root $T/storage --runroot $T/run --tmpdir $T/tmp --storage-driver vfs --cgroup-manager cgroupfs --runtime runc --events-backend file --network-config-dir $T/net.d"
export CONTAINERS_CONF=$T/containers.conf
LIMITS="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"

$P import "$T/rootfs.tar" localhost/pltest-busybox:latest >/dev/null || { echo "FAIL=import"; exit 1; }
$P run -d $LIMITS --name "$NET-c1" --network "$NET" localhost/pltest-busybox /bin/busybox httpd -f -p 8080 -h /www >/dev/null || echo "FAIL=run c1"
$P run -d $LIMITS --name "$NET-c2" --network "$NET" localhost/pltest-busybox /bin/busybox sleep 300 >/dev/null || echo "FAIL=run c2"
IP1=$($P inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$NET-c1")
IP2=$($P inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$NET-c2")
echo "IP1=$IP1"
echo "IP2=$IP2"
echo "ADDR2=$($P exec "$NET-c2" /bin/busybox ip -4 -o addr show dev eth0 | /bin/busybox awk '{print $4}')"
# busybox's static wget crashes in this image; speak HTTP with nc.
echo "FETCH=$($P exec "$NET-c2" /bin/busybox sh -c "printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | /bin/busybox nc -w 5 $IP1 8080" | /bin/busybox tail -n 1)"
$P rm -f -t 0 "$NET-c1" "$NET-c2" >/dev/null || echo "FAIL=rm"
$P rmi -f localhost/pltest-busybox >/dev/null 2>&1
echo "DONE=1"
