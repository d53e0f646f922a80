# Datastore (etcd, Kubernetes) pieces that need no process: allocation,
# encodings, stream splitting, publishing, Node JSON, kubeconfig.
include(${CMAKE_CURRENT_LIST_DIR}/../datastore/testkit.cmake)
podlane_gtest(unit_datastore LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_datastore_pure.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_datastore_kube_objects.cpp
  LIBS podlane_datastore podlane_datastore_testkit)
