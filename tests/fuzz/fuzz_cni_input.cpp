// libFuzzer: what a container runtime hands the CNI plugin (the network
// config on stdin) and what the IPAM store reads back from disk (reservation
// files, possibly torn) never crash the parsers.
#include <cstdint>
#include <string>
#include <string_view>

#include "config.h"
#include "podlane/reservation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    (void)podlane::cni::parse_config(text);
    if (auto r = podlane::parse_reservation(podlane::Ipv4{}, text); r) {
        auto again = podlane::parse_reservation(podlane::Ipv4{}, podlane::format_reservation(*r));
        if (!again || !(*again == *r)) __builtin_trap();
    }
    return 0;
}
