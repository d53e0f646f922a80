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

// "10.244.3.0/24" <-> "10.244.3.0-24": a CIDR as one etcd key segment.
std::string cidr_key(const Cidr &cidr);
Result<Cidr> cidr_from_key(const std::string &segment);

}  // namespace podlane::datastore
