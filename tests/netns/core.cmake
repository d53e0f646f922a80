add_test(NAME netns.two_nodes_dataplane
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/two_nodes_dataplane.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.two_nodes_dataplane PROPERTIES LABELS netns TIMEOUT 120 SKIP_RETURN_CODE 77)
