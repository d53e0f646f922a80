#include "podlane/host_veth.h"

#include <cstdint>
#include <cstdio>

namespace podlane {

std::string host_veth_name(const std::string &container_id, const std::string &ifname) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a, stable across builds and machines
    auto mix = [&](const std::string &s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 1099511628211ull;
        }
    };
    mix(container_id);
    mix(std::string(1, '\0'));
    mix(ifname);
    char buf[16];
    std::snprintf(buf, sizeof buf, "pl%012llx", static_cast<unsigned long long>(h & 0xffffffffffffull));
    return buf;
}

}  // namespace podlane
