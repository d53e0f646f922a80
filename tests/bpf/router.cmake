# Router role (issue 7): its programs over crafted packets (root), and its
# config parser and map planning (no root).
podlane_gtest(bpf_router_programs LABEL bpf
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/router_programs_test.cpp
  LIBS podlane_router podlane_bpf_test_support)
podlane_gtest(unit_router_config LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/router_config_test.cpp
  LIBS podlane_router)
