# Managed neighbour entries: podlaned's own are recognisable after a restart
# (NDA_PROTOCOL), and the ones nobody wants any more are removed. Root, in a
# private network namespace.
podlane_gtest(netns_neighbours LABEL netns
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_neighbours.cpp)

# podlaned's /metrics server over real TCP, in a private network namespace.
podlane_gtest(netns_metrics_server LABEL netns
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_metrics_server.cpp
  LIBS podlane_agent)
