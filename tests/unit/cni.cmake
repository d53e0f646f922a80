# The CNI plugin's unit tests: no root, no kernel objects.
podlane_gtest(test_cni_config LABEL unit SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cni_config.cpp LIBS podlane_cni_core podlane)
podlane_gtest(test_ipam_store LABEL unit SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ipam_store.cpp LIBS podlane_cni_core podlane)
