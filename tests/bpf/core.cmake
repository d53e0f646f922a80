# The node's programs over crafted packets, each file on the dataplane loaded
# by tests/support (root).
foreach(name programs programs6 fuzz next_hop_fib attach kernel_features netfilter_compat monitor)
  podlane_gtest(bpf_${name} LABEL bpf
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_${name}.cpp
    LIBS podlane_bpf_test_support)
endforeach()
# The same program tests on Debian 12's own kernel (6.1), in a TCG VM.
add_test(NAME bpf.programs_on_debian_kernel
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/../kernel/bpf_tests_on_debian_kernel.sh ${CMAKE_BINARY_DIR})
# no_sanitizer: the VM's initramfs carries the test binaries, not ASan's runtime.
set_tests_properties(bpf.programs_on_debian_kernel PROPERTIES LABELS "bpf;no_sanitizer" TIMEOUT 900
  SKIP_RETURN_CODE 77)
