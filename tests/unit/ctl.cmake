# podlanectl: parsing, formatting and the lookup mirror, no root needed.
podlane_gtest(unit_ctl LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ctl_decision.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_ctl_format.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_ctl_context.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_ctl_agent_discovery.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_ctl_monitor.cpp
  LIBS podlanectl_core)
