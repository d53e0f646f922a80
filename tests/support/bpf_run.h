// One BPF_PROG_TEST_RUN of a TC or XDP program over a frame, and what the
// stats map says it counted: shared by the node and router program tests and
// the BPF cost benchmark.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "podlane/abi/maps.h"

namespace podlane::test {

struct RunResult {
    int retval = -1;  // the program's verdict; -1000 + errno when the run failed
    std::vector<uint8_t> out;
    uint32_t duration_ns = 0;  // per repetition, as measured by the kernel
};

struct RunOptions {
    uint32_t repeat = 1;
    // The interface the frame is received on, passed in the program's context
    // (__sk_buff for TC, xdp_md for XDP) only when set: for XDP the kernel
    // requires a real device in the caller's namespace.
    std::optional<uint32_t> tc_ingress_ifindex;
    std::optional<uint32_t> xdp_ingress_ifindex;
};

RunResult run_program(int prog_fd, const std::vector<uint8_t> &frame, const RunOptions &options = {});

// Packets counted between two reads of the stats map, over every reason.
uint64_t packets_counted(const std::vector<podlane_stat_value> &before, const std::vector<podlane_stat_value> &after);

}  // namespace podlane::test
