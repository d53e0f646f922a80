// pl-register-endpoint: puts one pod into a node's endpoints map, the entry
// the CNI plugin writes on ADD, for scripts that wire a pod by hand (namespace
// tests, benchmarks).
//
//   pl-register-endpoint PIN_DIR POD_IP HOST_IFINDEX POD_MAC HOST_MAC
//       PIN_DIR holds the node's pinned maps; HOST_IFINDEX is the host-side
//       veth in the node's namespace. Exit 0 when written, 1 when the map
//       update failed, 2 on bad usage.
//
// Why a tool and not podlanectl: podlanectl deliberately has no "endpoints
// add" (the plugin owns endpoints), and the value layout must come from the
// ABI header, never from bytes spelled in a script.
#include <algorithm>
#include <cstdio>
#include <string>

#include "podlane/ip.h"
#include "podlane/maps.h"
#include "tool_support.h"

namespace {

int usage() {
    std::fprintf(stderr, "usage: pl-register-endpoint PIN_DIR POD_IP HOST_IFINDEX POD_MAC HOST_MAC\n");
    return 2;
}

int bad_argument(const podlane::Error &error) {
    std::fprintf(stderr, "pl-register-endpoint: %s\n", error.message.c_str());
    return usage();
}

bool parse_ifindex(const char *text, __u32 &ifindex) {
    long value = 0;
    if (!podlane::tools::parse_long(text, 1, 0xffffffffL, value)) return false;
    ifindex = static_cast<__u32>(value);
    return true;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 6) return usage();
    const std::string pin_dir = argv[1];
    auto pod_ip = podlane::Ipv4::parse(argv[2]);
    auto pod_mac = podlane::Mac::parse(argv[4]);
    auto host_mac = podlane::Mac::parse(argv[5]);
    podlane_endpoint_value value{};
    if (!parse_ifindex(argv[3], value.host_ifindex)) {
        std::fprintf(stderr, "pl-register-endpoint: HOST_IFINDEX '%s' is not a positive number\n", argv[3]);
        return usage();
    }
    if (!pod_ip) return bad_argument(pod_ip.error());
    if (!pod_mac) return bad_argument(pod_mac.error());
    if (!host_mac) return bad_argument(host_mac.error());
    std::copy(pod_mac->bytes.begin(), pod_mac->bytes.end(), value.pod_mac);
    std::copy(host_mac->bytes.begin(), host_mac->bytes.end(), value.host_mac);

    auto maps = podlane::NodeMaps::open(pin_dir);
    if (!maps) {
        std::fprintf(stderr, "pl-register-endpoint: %s\n", maps.error().message.c_str());
        return 1;
    }
    if (auto written = maps->put_endpoint(*pod_ip, value); !written) {
        std::fprintf(stderr, "pl-register-endpoint: endpoint %s: %s\n", pod_ip->str().c_str(),
                     written.error().message.c_str());
        return 1;
    }
    return 0;
}
