# Datastore tests against a real etcd (started by the test on 127.0.0.1;
# needs the etcd binary, not root) and a fake Kubernetes API server
# (python3 stdlib, started by the test). Label netns: they run processes.
include(${CMAKE_CURRENT_LIST_DIR}/../datastore/testkit.cmake)
podlane_gtest(netns_datastore_etcd LABEL netns
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_datastore_etcd.cpp
  LIBS podlane_datastore podlane_datastore_testkit podlane_agent)
add_dependencies(netns_datastore_etcd podlane_resolve_node)

# Convergence benchmark (not a test): datastore change -> on_change.
add_executable(bench_datastore_convergence ${CMAKE_SOURCE_DIR}/bench/datastore/convergence.cpp)
target_link_libraries(bench_datastore_convergence PRIVATE podlane_datastore podlane_datastore_testkit)

podlane_gtest(netns_datastore_kube LABEL netns
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_datastore_kube.cpp
  LIBS podlane_datastore podlane_datastore_testkit podlane_agent)

# Issue 18: the readiness gate (the Node's NetworkUnavailable condition) with
# a real podlaned against the fake API server.
add_test(NAME netns.agent_readiness_kube
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/agent_readiness_kube.sh ${CMAKE_BINARY_DIR})
set_tests_properties(netns.agent_readiness_kube PROPERTIES LABELS netns TIMEOUT 90 SKIP_RETURN_CODE 77)
