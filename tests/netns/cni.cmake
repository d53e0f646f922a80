# The CNI plugin run as a runtime runs it, in namespaces the tests create.
add_library(podlane_cni_harness STATIC ${CMAKE_SOURCE_DIR}/tests/cni/harness.cpp)
target_include_directories(podlane_cni_harness PUBLIC ${CMAKE_SOURCE_DIR}/tests/cni)
target_link_libraries(podlane_cni_harness PUBLIC podlane)

podlane_gtest(test_cni_plugin LABEL netns
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cni_plugin.cpp
  LIBS podlane_cni_harness podlane_cni_core podlane)
target_compile_definitions(test_cni_plugin PRIVATE PODLANE_CNI_BIN="$<TARGET_FILE:podlane_cni>")
add_dependencies(test_cni_plugin podlane_cni)

# Not a test: the ADD/DEL latency comparison with the reference plugins,
# run by bench/cni/run.sh.
add_executable(cni_bench ${CMAKE_SOURCE_DIR}/bench/cni/cni_bench.cpp)
target_link_libraries(cni_bench PRIVATE podlane_cni_harness podlane_test_support)

# podman through its CNI backend (skips when podman, runc, catatonit or
# busybox-static are not installed).
podlane_gtest(test_cni_podman LABEL netns
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cni_podman.cpp
  LIBS podlane_cni_harness podlane)
target_compile_definitions(test_cni_podman PRIVATE PODLANE_CNI_BIN="$<TARGET_FILE:podlane_cni>")
add_dependencies(test_cni_podman podlane_cni)
