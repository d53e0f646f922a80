foreach(attach bridge veth)
  add_test(NAME netns.two_nodes_dataplane_${attach}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/two_nodes_dataplane.sh ${CMAKE_BINARY_DIR} ${attach})
  set_tests_properties(netns.two_nodes_dataplane_${attach} PROPERTIES LABELS netns TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()

# Issue 14: long and short flows on the netfilter-compatible fast path, with
# kube-proxy's INVALID rule: no reset, no stall, no INVALID (a 30 s stream).
add_test(NAME netns.netfilter_long_flows
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/netfilter_long_flows.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.netfilter_long_flows PROPERTIES LABELS netns TIMEOUT 240 SKIP_RETURN_CODE 77)

# The DaemonSet's capability list is enough for podlaned, and each one is needed.
add_test(NAME netns.agent_capabilities
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_capabilities.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.agent_capabilities PROPERTIES LABELS netns TIMEOUT 120 SKIP_RETURN_CODE 77)

# Issue 16: podlaned never loses a pod's fast path (stale endpoints at start).
add_test(NAME netns.agent_stale_endpoints
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_stale_endpoints.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.agent_stale_endpoints PROPERTIES LABELS netns TIMEOUT 60 SKIP_RETURN_CODE 77)

# Issue 16: the uplink re-created under its name (new ifindex) is followed.
add_test(NAME netns.agent_uplink_recreated
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_uplink_recreated.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.agent_uplink_recreated PROPERTIES LABELS netns TIMEOUT 60 SKIP_RETURN_CODE 77)

# Issue 16: pods added while the maps were not pinned get their endpoint at start.
add_test(NAME netns.agent_rebuild_endpoints
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_rebuild_endpoints.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.agent_rebuild_endpoints PROPERTIES LABELS netns TIMEOUT 90 SKIP_RETURN_CODE 77)
