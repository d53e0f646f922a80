podlane_gtest(unit_core LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ip.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_node_config.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_files.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_cni_conflist.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_config_fields.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_reconcile.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_node_list_filter.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_node_list_mailbox.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_reservation_scan.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_metrics_text.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_metrics.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_start_report.cpp
  LIBS podlane_agent)

# Source checks (no_sanitizer: nothing of ours runs, so the sanitizer pass
# skips them). Every shell script of the project, at warning level (lab, tests, bench, CI).
add_test(NAME unit.shellcheck_scripts
  COMMAND bash -c "command -v shellcheck >/dev/null || { echo 'shellcheck not installed'; exit 77; }; shellcheck -S warning lab/podlane-lab lab/lib/*.sh lab/node/*.sh tests/e2e/*.sh tests/netns/*.sh tests/support/*.sh bench/run-bench bench/*.sh bench/*/*.sh scripts/*.sh scripts/lib/*.sh .ci/run .ci/install-deps maps-cli/*.sh"
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(unit.shellcheck_scripts PROPERTIES LABELS "unit;no_sanitizer" SKIP_RETURN_CODE 77 TIMEOUT 120)

# Every C/C++ file in the project's one format (scripts/format.sh rewrites them).
add_test(NAME unit.clang_format COMMAND bash scripts/format.sh --check WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(unit.clang_format PROPERTIES LABELS "unit;no_sanitizer" TIMEOUT 120)
