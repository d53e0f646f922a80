# Datastore (etcd, Kubernetes) pieces that need no process: allocation,
# encodings, stream splitting, publishing, Node JSON, kubeconfig.
include(${CMAKE_CURRENT_LIST_DIR}/../datastore/testkit.cmake)
podlane_gtest(unit_datastore LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_datastore_pure.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_datastore_kube_objects.cpp
  LIBS podlane_datastore podlane_datastore_testkit)

# deploy/: the manifests parse and say what podlane needs; yamllint and
# shellcheck agree. 77 = skipped (tool not installed).
find_program(PODLANE_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT PODLANE_PYTHON3)
  find_program(PODLANE_PYTHON3 NAMES python3)
endif()
add_test(NAME unit.datastore_deploy_manifests
  COMMAND ${PODLANE_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_datastore_deploy.py ${CMAKE_SOURCE_DIR}/deploy)
add_test(NAME unit.datastore_deploy_yamllint
  COMMAND sh -c "command -v yamllint >/dev/null || { echo 'yamllint not installed'; exit 77; }; yamllint -s -c deploy/.yamllint.yaml deploy"
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME unit.datastore_deploy_shellcheck
  COMMAND sh -c "command -v shellcheck >/dev/null || { echo 'shellcheck not installed'; exit 77; }; shellcheck deploy/image/*.sh bench/datastore/*.sh"
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(unit.datastore_deploy_manifests unit.datastore_deploy_yamllint unit.datastore_deploy_shellcheck
  PROPERTIES LABELS unit SKIP_RETURN_CODE 77 TIMEOUT 120)

# podlaned loads the datastore module only for --datastore etcd|kubernetes:
# the agent itself must not map libcurl, a TLS stack or yaml-cpp (RSS goal).
add_test(NAME unit.podlaned_links_no_datastore_libraries
  COMMAND bash -c "libs=$(ldd \"$0\") || exit 1; ! grep -E 'libcurl|libssl|libgnutls|libyaml-cpp' <<<\"$libs\""
    $<TARGET_FILE:podlaned>)
set_tests_properties(unit.podlaned_links_no_datastore_libraries PROPERTIES LABELS unit)
add_test(NAME unit.datastore_module_exports_its_entry
  COMMAND bash -c "entry=$(grep -o 'podlane_datastore_create_v[0-9]*' \"$1\") && nm -D --defined-only \"$0\" | grep -q \" $entry$\""
    $<TARGET_FILE:podlane_datastore_module> ${CMAKE_SOURCE_DIR}/loader/datastore/source.h)
set_tests_properties(unit.datastore_module_exports_its_entry PROPERTIES LABELS unit)
add_dependencies(sanitized-tiers podlaned podlane_datastore_module)
