# podlanectl on real pinned maps (root), the binary run as a subprocess:
#   cli       every command on maps written by the test
#   datapath  `lookup` against the BPF programs' own decision (BPF_PROG_TEST_RUN)
#   router    `router neighbours|ports`, and pl-register-endpoint (tests/tools):
#             what the namespace tests and benchmarks read and write instead
#             of the maps
function(podlane_ctl_test name libs)
  podlane_gtest(bpf_ctl_${name} LABEL bpf
    SOURCES ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/test_ctl_${name}.cpp
            ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/test_ctl_support.cpp
    LIBS ${libs})
  target_compile_definitions(bpf_ctl_${name} PRIVATE PODLANECTL_BIN="$<TARGET_FILE:podlanectl>" ${ARGN})
  add_dependencies(bpf_ctl_${name} podlanectl)
endfunction()

podlane_ctl_test(cli podlane)
podlane_ctl_test(datapath podlane_bpf_test_support)
podlane_ctl_test(router podlane PL_REGISTER_ENDPOINT_BIN="$<TARGET_FILE:pl-register-endpoint>")
add_dependencies(bpf_ctl_router pl-register-endpoint)
