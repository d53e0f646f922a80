#include "datastore/cidr_allocator.h"

#include <algorithm>

namespace podlane::datastore {

Result<std::optional<Cidr>> next_free_cidr(const Cidr &cluster, int block_length, const std::vector<Cidr> &taken) {
    if (block_length < cluster.length || block_length > 30)
        return Error{"pod CIDR size /" + std::to_string(block_length) + " does not fit cluster CIDR " + cluster.str() +
                     " (must be between /" + std::to_string(cluster.length) + " and /30)"};
    uint64_t step = uint64_t{1} << (32 - block_length);
    uint64_t first = cluster.network().host();
    uint64_t end = first + cluster.size();
    for (uint64_t base = first; base < end; base += step) {
        Cidr candidate{Ipv4::from_host(static_cast<uint32_t>(base)), static_cast<uint8_t>(block_length)};
        bool free = std::none_of(taken.begin(), taken.end(), [&](const Cidr &t) { return t.overlaps(candidate); });
        if (free) return std::optional<Cidr>{candidate};
    }
    return std::optional<Cidr>{};
}

std::string cidr_key(const Cidr &cidr) {
    return cidr.prefix.str() + "-" + std::to_string(cidr.length);
}

Result<Cidr> cidr_from_key(const std::string &segment) {
    auto dash = segment.rfind('-');
    if (dash == std::string::npos) return Error{"'" + segment + "' is not a CIDR key (a.b.c.d-len)"};
    return Cidr::parse(segment.substr(0, dash) + "/" + segment.substr(dash + 1));
}

}  // namespace podlane::datastore
