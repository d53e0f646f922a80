// The node the BPF and podlanectl tests load: the lab's node 1
// (192.160.1.11, pods 10.244.1.0/24 behind gateway 10.244.1.1).
#pragma once

#include <cstdint>

#include "podlane/abi/maps.h"
#include "podlane/ip.h"

namespace podlane::test {

// Values of the standard node, for assertions.
inline constexpr uint32_t kStdPodHostIfindex = 42;
inline constexpr uint8_t kStdPodMac[6] = {0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x0a};
inline constexpr uint8_t kStdHostMac[6] = {0x0a, 0x58, 0x00, 0x00, 0x00, 0x42};
inline constexpr uint8_t kStdGatewayMac[6] = {0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x01};

inline podlane_node_config standard_node_config(uint32_t uplink_ifindex) {
    podlane_node_config cfg{};
    cfg.node_ip = Ipv4::parse("192.160.1.11")->be;
    cfg.gateway_ip = Ipv4::parse("10.244.1.1")->be;
    cfg.pod_cidr = Ipv4::parse("10.244.1.0")->be;
    cfg.pod_prefixlen = 24;
    cfg.uplink_ifindex = uplink_ifindex;
    return cfg;
}

}  // namespace podlane::test
