// A node's dataplane loaded for BPF_PROG_TEST_RUN: programs and maps pinned
// in a throwaway pin directory, inside a private network namespace that holds
// the test's "uplinks" (veths with known MTUs). Root only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datapath.h"
#include "podlane/maps.h"

namespace podlane::test {

// Values of the standard node, for assertions.
inline constexpr uint32_t kStdPodHostIfindex = 42;
inline constexpr uint8_t kStdPodMac[6] = {0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x0a};
inline constexpr uint8_t kStdHostMac[6] = {0x0a, 0x58, 0x00, 0x00, 0x00, 0x42};
inline constexpr uint8_t kStdGatewayMac[6] = {0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x01};

struct RunResult {
    int retval = -1;
    std::vector<uint8_t> out;
    uint32_t duration_ns = 0;  // per repetition, as measured by the kernel
};

class BpfTestNode {
public:
    // "" when ready, else why the fixture could not be built (skip reason).
    static std::string create(std::unique_ptr<BpfTestNode> &out, const std::string &name, DatapathOptions options = {});
    ~BpfTestNode();

    Datapath &datapath() { return *dp_; }
    NodeMaps &maps() { return *maps_; }
    int uplink_ifindex() const { return uplink_ifindex_; }  // MTU 1500
    int jumbo_ifindex() const { return jumbo_ifindex_; }    // MTU 9000
    const std::string &pin_dir() const { return pin_dir_; }

    // Writes the standard node: 10.244.1.0/24 local (node 192.160.1.11),
    // 10.244.2.0/24 via 192.160.1.12 on the uplink, 10.244.3.0/24 via
    // 192.160.1.13 on the jumbo link, pod 10.244.1.10 on host ifindex 42.
    void seed_standard_node();
    void clear_maps();

    // A TC program sees the packet as received on `ingress_ifindex` (a pod's
    // host veth by default); 0 is what the node's own packets carry at the
    // host device's egress. XDP programs ignore it.
    RunResult run(int prog_fd, const std::vector<uint8_t> &frame, uint32_t repeat = 1,
                  uint32_t ingress_ifindex = kStdPodHostIfindex);
    std::vector<podlane_stat_value> stats();

private:
    BpfTestNode() = default;
    std::string pin_dir_;
    std::unique_ptr<Datapath> dp_;
    std::unique_ptr<NodeMaps> maps_;
    int uplink_ifindex_ = 0, jumbo_ifindex_ = 0;
};

}  // namespace podlane::test
