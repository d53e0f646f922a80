# The lab on VMs (issue 17): label vm only, not in the README test command's
# default run (scripts/test.sh leaves label vm out; it takes 15-25 minutes
# under TCG). Run it: bash scripts/test.sh -L vm
add_test(NAME vm.lab_up_matrix_down COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/vm_lab.sh)
set_tests_properties(vm.lab_up_matrix_down PROPERTIES LABELS vm TIMEOUT 3000 SKIP_RETURN_CODE 77
  RESOURCE_LOCK podlane-lab)
