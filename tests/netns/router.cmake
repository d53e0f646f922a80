# The router role end to end: a router namespace and three nodes on one
# segment, pods reaching each other only through the router's BPF program.
add_test(NAME netns.router_dataplane
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/router_dataplane.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.router_dataplane PROPERTIES LABELS netns TIMEOUT 300 SKIP_RETURN_CODE 77)

# One link per node (no segment): forwarding between the router's interfaces,
# TC redirect and XDP_REDIRECT through the devmap.
add_test(NAME netns.router_links
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/router_links.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.router_links PROPERTIES LABELS netns TIMEOUT 300 SKIP_RETURN_CODE 77)

# The router's nodes from the Kubernetes API (the fake API server): routes
# follow the Node objects, a restart without the API keeps them.
add_test(NAME netns.router_datastore_kube
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/router_datastore_kube.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.router_datastore_kube PROPERTIES LABELS netns TIMEOUT 120 SKIP_RETURN_CODE 77)
