// The spec's result JSON: what ADD prints, and what CHECK reads back from
// prevResult.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cni_error.h"
#include "podlane/ip.h"

namespace podlane::cni {

struct ResultInterface {
    std::string name;
    Mac mac;
    std::string sandbox;  // empty: on the host
};

struct ResultAddress6 {
    Ipv6 address;
    uint8_t prefix_length = 0;  // the IPv6 pod CIDR's
    Ipv6 gateway;
};

struct AddResult {
    std::vector<ResultInterface> interfaces;  // bridge, host veth, pod
    // Either or both: IPv4-only, dual-stack, IPv6-only.
    std::optional<Cidr> address;  // pod address with the pod CIDR's length
    std::optional<Ipv4> gateway;
    std::optional<ResultAddress6> address6;
    nlohmann::json dns;  // null: omitted
};

// In the layout of cni_version (0.3.x/0.4.0 put "version": "4" on each IP).
// A prevResult (we are not first in the chain) is kept and extended.
nlohmann::json to_json(const AddResult &result, const std::string &cni_version, const nlohmann::json &prev_result);

// What a previous ADD reported for the container interface ifname.
struct ExpectedRoute {
    Cidr dst;
    std::optional<Ipv4> gateway;
};
// At least one of address and address6 is set.
struct ExpectedPod {
    std::optional<Cidr> address;
    std::optional<Ipv4> gateway;
    std::optional<Ipv6> address6;  // the IPv6 address prevResult gives the interface
    std::optional<Ipv6> gateway6;
    std::optional<Mac> mac;
    std::vector<ExpectedRoute> routes;  // IPv4 routes of prevResult (earlier plugins' too)
};
CniResult<ExpectedPod> expected_from_prev_result(const nlohmann::json &prev_result, const std::string &ifname);

}  // namespace podlane::cni
