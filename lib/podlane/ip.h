// IPv4 and IPv6 addresses, CIDRs and MAC addresses: parsing that rejects anything
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

// An IPv6 address in network byte order, as the maps and packets hold it.
struct Ipv6 {
    std::array<uint8_t, 16> bytes{};

    static Result<Ipv6> parse(std::string_view text);
    std::string str() const;  // RFC 5952 text, e.g. fd00:10:244:1::a
    bool operator==(const Ipv6 &) const = default;
    auto operator<=>(const Ipv6 &) const = default;
};

struct Cidr6 {
    Ipv6 prefix;
    uint8_t length = 0;

    // Strict: "fd00:10:244:1::/64". Host bits set is an error that names the fix.
    static Result<Cidr6> parse(std::string_view text);
    // Lenient: "fd00:10:244:1::a/64", an address with its prefix length.
    static Result<Cidr6> parse_interface(std::string_view text);

    bool contains(const Ipv6 &addr) const;
    bool contains(const Cidr6 &other) const { return other.length >= length && contains(other.prefix); }
    bool overlaps(const Cidr6 &other) const { return contains(other) || other.contains(*this); }
    Ipv6 network() const;
    // The address at this offset from the network (offset < 2^64, within
    // the CIDR's host bits): network() + 1 is the gateway.
    Ipv6 at(uint64_t offset) const;
    std::string str() const;
    bool operator==(const Cidr6 &) const = default;
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
// An IPv6-only node's: 0a:58 followed by the IPv6 gateway folded (XOR) into
// four bytes.
Mac gateway_mac_for(const Ipv6 &gateway);

}  // namespace podlane
