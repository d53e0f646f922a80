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
