# Smoke test of the side-by-side benchmark (issue 8): `bench/run-bench --quick`
# must produce its tables. No timing is asserted: the numbers never fail CI.
# Results and chart go to the build tree, never over the committed ones.
add_test(NAME e2e.bench_quick_produces_table
  COMMAND bash -c "out=$(\"$0\" --quick --no-build --build-dir \"$1\" --results \"$1/bench-results\" --chart \"$1/bench-results/bench.png\") || exit $?; printf '%s\\n' \"$out\"; grep -q '^| (2) podlane pod→pod cross-node' <<<\"$out\" && grep -q '^| (2v6) podlane pod→pod cross-node over IPv6' <<<\"$out\" && grep -q 'IPv6: podlane (2v6) vs kernel routes (3v6)' <<<\"$out\" && grep -q 'podlanectl monitor on both nodes (2m) vs off (2)' <<<\"$out\" && grep -q '^### Goals' <<<\"$out\" && grep -q 'Convergence from etcd' <<<\"$out\" && jq -e '.samples | length > 0' \"$1/bench-results/latest.json\" >/dev/null"
    ${CMAKE_SOURCE_DIR}/bench/run-bench ${CMAKE_BINARY_DIR})
set_tests_properties(e2e.bench_quick_produces_table PROPERTIES
  LABELS e2e TIMEOUT 900 SKIP_RETURN_CODE 77 RESOURCE_LOCK podlane-bench)
