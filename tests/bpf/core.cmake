podlane_gtest(bpf_programs LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_programs.cpp
  LIBS podlane_bpf_test_support)
