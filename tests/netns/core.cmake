foreach(attach bridge veth)
  add_test(NAME netns.two_nodes_dataplane_${attach}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/two_nodes_dataplane.sh ${CMAKE_BINARY_DIR} ${attach})
  set_tests_properties(netns.two_nodes_dataplane_${attach} PROPERTIES LABELS netns TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
