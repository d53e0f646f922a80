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
