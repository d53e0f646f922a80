# Test helpers of the datastore tests (etcd process, child processes, node
# list recorder); included by the datastore fragments of each tier.
include_guard(GLOBAL)
add_library(podlane_datastore_testkit STATIC
  ${CMAKE_CURRENT_LIST_DIR}/child_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/etcd_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fake_kube_api.cpp
)
target_include_directories(podlane_datastore_testkit PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(podlane_datastore_testkit PUBLIC podlane podlane_datastore podlane_test_support)
