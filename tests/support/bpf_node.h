// A node's dataplane loaded for BPF_PROG_TEST_RUN: programs and maps pinned
// in a throwaway pin directory, inside a private network namespace that holds
// the test's "uplinks" (veths with known MTUs). Root only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bpf_run.h"
#include "datapath.h"
#include "podlane/maps.h"
#include "standard_node.h"

namespace podlane::test {

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
    // Adds the node's IPv6 side: fd00:10:244:1::/64 local (node
    // fd00:192:160:1::11), fd00:10:244:2::/64 via fd00:192:160:1::12 on the
    // uplink, fd00:10:244:3::/64 via ::13 on the jumbo link, pod
    // fd00:10:244:1::a on host ifindex 42 (same MACs as the IPv4 pod).
    void seed_standard_node6();
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
