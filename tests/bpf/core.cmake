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
