# End-to-end tests of the three-node namespace lab (issue 6): label e2e,
# privileged. Each script brings the lab up, checks one behaviour and tears the
# lab down on every exit path. They share fixed namespace names, so they never
# run in parallel (RESOURCE_LOCK) and also take /run/podlane-lab.lock.
add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/../tools ${CMAKE_BINARY_DIR}/tests/tools)

set(_lab_e2e ${CMAKE_CURRENT_LIST_DIR}/lab_e2e.sh)
# NAME CASE [podlane-lab up options...]
function(podlane_lab_e2e name case)
  add_test(NAME e2e.lab_${name} COMMAND bash ${_lab_e2e} ${CMAKE_BINARY_DIR} ${case} ${ARGN})
  set_tests_properties(e2e.lab_${name} PROPERTIES
    LABELS e2e TIMEOUT 600 SKIP_RETURN_CODE 77 RESOURCE_LOCK podlane-lab)
endfunction()

# The matrix passes in every mode: pod x pod, node x pod, and the Services
# (kube-proxy's iptables rules: ClusterIPs TCP and UDP, NodePort, hairpin) and
# Policy (FORWARD-chain DROP) blocks, kernel-routes being the reference.
podlane_lab_e2e(matrix_podlane matrix)
podlane_lab_e2e(matrix_kernel_routes matrix --mode kernel-routes)
podlane_lab_e2e(matrix_router_tc matrix --mode router --router-hook tc)
podlane_lab_e2e(matrix_router_xdp matrix --mode router --router-hook xdp)
# Dual-stack (issue 19): the IPv4 blocks and the IPv6 block (pod x pod,
# node x pod, ICMPv6 and TCP) pass with both attach points, both uplink hooks
# and both datastores: veth + TC + file, and bridge + XDP + etcd. The second
# also stands for the IPv4 matrix on the bridge, on XDP and on etcd (each once
# had its own lab run; CI's time is better spent on new cases).
podlane_lab_e2e(matrix_dual matrix --ip-family dual)
podlane_lab_e2e(matrix_dual_bridge_xdp_etcd matrix --ip-family dual --attach bridge --uplink-hook xdp --datastore etcd)
# IPv6-only: the IPv6 block passes, and nothing of IPv4 reaches podlane or the
# pods (veth + XDP + file; etcd and the router role need IPv4 for now).
podlane_lab_e2e(matrix_ipv6_only matrix --ip-family ipv6 --uplink-hook xdp)
# --netfilter bypass: exactly the expected Services and Policy cells differ.
podlane_lab_e2e(matrix_netfilter_bypass matrix --netfilter bypass)
# Behaviours (podlane mode).
podlane_lab_e2e(detached_fails detached)
podlane_lab_e2e(pod_delete_drops_counted pod-delete)
# Anti-spoofing: a pod sending from another address is dropped on its node.
podlane_lab_e2e(spoof_dropped_counted spoof)
podlane_lab_e2e(spoof_dropped_counted_bridge spoof --attach bridge)
podlane_lab_e2e(node_removal_under_1s node-removal)
podlane_lab_e2e(agent_restart_keeps_flows restart)
podlane_lab_e2e(fourth_node_joins join)
# The router role on the etcd source: the router's file names no node.
podlane_lab_e2e(router_learns_nodes_from_etcd join --mode router --datastore etcd)
podlane_lab_e2e(node_view_status_and_ttl node-view)
# Issue 18: /metrics in every node namespace, counters moved by test traffic;
# the router's own families; convergence measured from etcd's events.
podlane_lab_e2e(metrics metrics)
podlane_lab_e2e(metrics_router_etcd metrics --mode router --datastore etcd)
