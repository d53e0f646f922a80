// The node the BPF and podlanectl tests load: the lab's node 1
// (192.160.1.11, pods 10.244.1.0/24 behind gateway 10.244.1.1).
#pragma once

#include <cstdint>

#include "podlane/abi/maps.h"
#include "podlane/ip.h"
#include "podlane/maps.h"

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

// The same node's IPv6 side (the lab's --ip-family dual): node
// fd00:192:160:1::11, pods fd00:10:244:1::/64 behind gateway fd00:10:244:1::1.
inline podlane_node_config6 standard_node_config6() {
    podlane_node_config6 cfg{};
    cfg.node_ip = to_in6(*Ipv6::parse("fd00:192:160:1::11"));
    cfg.gateway_ip = to_in6(*Ipv6::parse("fd00:10:244:1::1"));
    cfg.pod_cidr = to_in6(*Ipv6::parse("fd00:10:244:1::"));
    cfg.pod_prefixlen = 64;
    return cfg;
}

}  // namespace podlane::test
