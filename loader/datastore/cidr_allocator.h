// Picks a node's pod CIDR: the lowest block of the requested size inside the
// cluster CIDR that overlaps no block already claimed. Pure; the etcd source
// makes the claim atomic with a create-if-absent transaction.
#pragma once

#include <optional>
#include <vector>

#include "podlane/ip.h"
#include "podlane/result.h"

namespace podlane::datastore {

// Error when block_length is shorter than the cluster's or longer than /30.
Result<std::optional<Cidr>> next_free_cidr(const Cidr &cluster, int block_length, const std::vector<Cidr> &taken);

// The same for IPv6: blocks of block_length (up to /120) inside the
// cluster's IPv6 CIDR, at most the first 65,536 of them looked at.
Result<std::optional<Cidr6>> next_free_cidr(const Cidr6 &cluster, int block_length, const std::vector<Cidr6> &taken);
// The IPv6 block size a node claims in an IPv6 cluster CIDR: /64 (the
// size SLAAC and most tools expect), or /120 inside a cluster longer than /64.
int ipv6_block_length(const Cidr6 &cluster);

// "10.244.3.0/24" <-> "10.244.3.0-24": a CIDR as one etcd key segment
// ("fd00:10:244:3::-64" for IPv6).
std::string cidr_key(const Cidr &cidr);
std::string cidr_key(const Cidr6 &cidr);
Result<Cidr> cidr_from_key(const std::string &segment);
Result<Cidr6> cidr6_from_key(const std::string &segment);

}  // namespace podlane::datastore
