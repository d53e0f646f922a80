// IPv4 addresses, CIDRs and MAC addresses: parsing that rejects anything
// malformed with a message naming the input, and formatting.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "podlane/result.h"

namespace podlane {

// An IPv4 address kept in network byte order, as the maps and packets hold it.
struct Ipv4 {
    uint32_t be = 0;

    static Result<Ipv4> parse(std::string_view text);
    static Ipv4 from_host(uint32_t host_order);
    uint32_t host() const;
    std::string str() const;
    bool operator==(const Ipv4 &) const = default;
    auto operator<=>(const Ipv4 &o) const { return host() <=> o.host(); }
};

struct Cidr {
    Ipv4 prefix;
    uint8_t length = 0;

    // Strict: "10.244.1.0/24". Host bits set is an error that names them.
    static Result<Cidr> parse(std::string_view text);
    // Lenient: "10.244.1.7/24" is an address with its prefix length
    // (interface address notation); the address is kept as given.
    static Result<Cidr> parse_interface(std::string_view text);

    uint32_t mask_host() const { return length == 0 ? 0 : ~uint32_t{0} << (32 - length); }
    bool contains(Ipv4 addr) const { return (addr.host() & mask_host()) == (prefix.host() & mask_host()); }
    bool contains(const Cidr &other) const { return other.length >= length && contains(other.prefix); }
    bool overlaps(const Cidr &other) const { return contains(other) || other.contains(*this); }
    Ipv4 network() const { return Ipv4::from_host(prefix.host() & mask_host()); }
    Ipv4 broadcast() const { return Ipv4::from_host(prefix.host() | ~mask_host()); }
    Ipv4 first_host() const { return Ipv4::from_host(network().host() + 1); }
    uint64_t size() const { return uint64_t{1} << (32 - length); }
    std::string str() const;
    bool operator==(const Cidr &) const = default;
};

struct Mac {
    std::array<uint8_t, 6> bytes{};

    static Result<Mac> parse(std::string_view text);
    std::string str() const;
    bool operator==(const Mac &) const = default;
};

// The MAC a gateway address gets: 0a:58 (locally administered) followed by
// the IPv4 address, as Kubernetes' kubenet does. Stable across restarts.
Mac gateway_mac_for(Ipv4 gateway);

}  // namespace podlane
