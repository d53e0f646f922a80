podlane_gtest(unit_core LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ip.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_node_config.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_reconcile.cpp
  LIBS podlane_agent)
