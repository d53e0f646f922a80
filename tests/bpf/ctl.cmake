# podlanectl on real pinned maps (root): the binary as a subprocess; and its
# `lookup` against the BPF programs' own decision (BPF_PROG_TEST_RUN).
podlane_gtest(bpf_ctl_cli LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ctl_cli.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_ctl_support.cpp
  LIBS podlane)
target_compile_definitions(bpf_ctl_cli PRIVATE PODLANECTL_BIN="$<TARGET_FILE:podlanectl>")
add_dependencies(bpf_ctl_cli podlanectl)

podlane_gtest(bpf_ctl_datapath LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ctl_datapath.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_ctl_support.cpp
  LIBS podlane_bpf_test_support)
target_compile_definitions(bpf_ctl_datapath PRIVATE PODLANECTL_BIN="$<TARGET_FILE:podlanectl>")
add_dependencies(bpf_ctl_datapath podlanectl)

# podlanectl router neighbours|ports, and pl-register-endpoint (tests/tools):
# what the namespace tests and benchmarks read and write instead of the maps.
podlane_gtest(bpf_ctl_router LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ctl_router.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_ctl_support.cpp
  LIBS podlane)
target_compile_definitions(bpf_ctl_router PRIVATE PODLANECTL_BIN="$<TARGET_FILE:podlanectl>"
  PL_REGISTER_ENDPOINT_BIN="$<TARGET_FILE:pl-register-endpoint>")
add_dependencies(bpf_ctl_router podlanectl pl-register-endpoint)
