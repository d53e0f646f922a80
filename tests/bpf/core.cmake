podlane_gtest(bpf_programs LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_programs.cpp
  LIBS podlane_bpf_test_support)
podlane_gtest(bpf_next_hop_fib LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_next_hop_fib.cpp
  LIBS podlane_bpf_test_support)
podlane_gtest(bpf_attach LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_attach.cpp
  LIBS podlane_bpf_test_support)
podlane_gtest(bpf_kernel_features LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_kernel_features.cpp
  LIBS podlane_bpf_test_support)
podlane_gtest(bpf_netfilter_compat LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_netfilter_compat.cpp
  LIBS podlane_bpf_test_support)
# The same program tests on Debian 12's own kernel (6.1), in a TCG VM.
add_test(NAME bpf.programs_on_debian_kernel
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/../kernel/bpf_tests_on_debian_kernel.sh ${CMAKE_BINARY_DIR})
set_tests_properties(bpf.programs_on_debian_kernel PROPERTIES LABELS bpf TIMEOUT 900 SKIP_RETURN_CODE 77)
