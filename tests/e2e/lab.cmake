# End-to-end tests of the three-node namespace lab (issue 6): label e2e,
# privileged. Each script brings the lab up, checks one behaviour and tears the
# lab down on every exit path. They share fixed namespace names, so they never
# run in parallel (RESOURCE_LOCK) and also take /run/podlane-lab.lock.
add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/../tools ${CMAKE_BINARY_DIR}/tests/tools)
