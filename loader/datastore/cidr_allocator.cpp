#include "datastore/cidr_allocator.h"

#include <algorithm>

#include "podlane/node_config.h"

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

Result<std::optional<Cidr6>> next_free_cidr(const Cidr6 &cluster, int block_length, const std::vector<Cidr6> &taken) {
    if (block_length < cluster.length || block_length > kMaxPodCidr6Length)
        return Error{"IPv6 pod CIDR size /" + std::to_string(block_length) + " does not fit clusterCIDRv6 " +
                     cluster.str() + " (must be between /" + std::to_string(cluster.length) + " and /" +
                     std::to_string(kMaxPodCidr6Length) + ")"};
    const int index_bits = std::min(block_length - cluster.length, 16);
    for (uint32_t i = 0; i < (uint32_t{1} << index_bits); i++) {
        // Block i: its index written into the bits just above the block's
        // host bits (bit positions block_length-1 down to cluster.length).
        Ipv6 base = cluster.network();
        for (int b = 0; b < index_bits; b++) {
            if (!((i >> b) & 1)) continue;
            const int bit = block_length - 1 - b;  // from the left, 0 = most significant
            base.bytes[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
        }
        Cidr6 candidate{base, static_cast<uint8_t>(block_length)};
        bool free = std::none_of(taken.begin(), taken.end(), [&](const Cidr6 &t) { return t.overlaps(candidate); });
        if (free) return std::optional<Cidr6>{candidate};
    }
    return std::optional<Cidr6>{};
}

int ipv6_block_length(const Cidr6 &cluster) {
    return cluster.length <= 64 ? 64 : kMaxPodCidr6Length;
}

std::string cidr_key(const Cidr6 &cidr) {
    return cidr.network().str() + "-" + std::to_string(cidr.length);
}

Result<Cidr6> cidr6_from_key(const std::string &segment) {
    auto dash = segment.rfind('-');
    if (dash == std::string::npos) return Error{"'" + segment + "' is not an IPv6 CIDR key (prefix-len)"};
    return Cidr6::parse(segment.substr(0, dash) + "/" + segment.substr(dash + 1));
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
