# The three-node Vagrant lab (issue 6), checked without VMs: no provider, no
# box, no root, no network, so label unit. vagrant/check-offline.sh does each
# check and exits 77 (skipped) when its tool is missing. What only a run on
# VMs can show is listed in vagrant/README.md.
foreach(check validate machines shellcheck provision unit)
  add_test(NAME unit.vagrant_${check}
    COMMAND ${CMAKE_SOURCE_DIR}/vagrant/check-offline.sh ${check})
  set_tests_properties(unit.vagrant_${check} PROPERTIES
    LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
