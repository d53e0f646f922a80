// libFuzzer: IPv4 / CIDR / MAC parsers never crash, and what they accept
// formats back to something that parses to the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "podlane/ip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    if (auto ip = podlane::Ipv4::parse(text); ip) {
        if (!(*podlane::Ipv4::parse(ip->str()) == *ip)) std::abort();
    }
    if (auto cidr = podlane::Cidr::parse(text); cidr) {
        auto again = podlane::Cidr::parse(cidr->str());
        if (!again || !(*again == *cidr)) std::abort();
        if (!cidr->contains(cidr->network()) || !cidr->contains(cidr->broadcast())) std::abort();
    }
    (void)podlane::Cidr::parse_interface(text);
    if (auto mac = podlane::Mac::parse(text); mac) {
        if (!(*podlane::Mac::parse(mac->str()) == *mac)) std::abort();
    }
    return 0;
}
