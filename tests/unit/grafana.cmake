# deploy/grafana: the dashboard is valid and names only metrics podlaned exports.
find_program(PODLANE_PYTHON3 NAMES python3)
add_test(NAME unit.grafana_dashboard
  COMMAND ${PODLANE_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_grafana_dashboard.py
          ${CMAKE_SOURCE_DIR}/deploy/grafana/podlane-dashboard.json)
set_tests_properties(unit.grafana_dashboard PROPERTIES LABELS unit TIMEOUT 60)
