#include "podlane/ip.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace podlane {

Result<Ipv4> Ipv4::parse(std::string_view text) {
    std::string s(text);
    in_addr addr{};
    // inet_pton accepts only the dotted quad, no shorthand like "10.1".
    if (s.empty() || inet_pton(AF_INET, s.c_str(), &addr) != 1) return Error{"'" + s + "' is not an IPv4 address"};
    return Ipv4{addr.s_addr};
}

Ipv4 Ipv4::from_host(uint32_t host_order) {
    return Ipv4{htonl(host_order)};
}
uint32_t Ipv4::host() const {
    return ntohl(be);
}

std::string Ipv4::str() const {
    char buf[INET_ADDRSTRLEN];
    in_addr addr{be};
    inet_ntop(AF_INET, &addr, buf, sizeof buf);
    return buf;
}

static Result<Cidr> parse_cidr_parts(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return Error{"'" + std::string(text) + "' is not a CIDR (expected ADDRESS/LENGTH, e.g. 10.244.1.0/24)"};
    auto addr = Ipv4::parse(text.substr(0, slash));
    if (!addr) return Error{"'" + std::string(text) + "' is not a CIDR: address part is not IPv4"};
    auto len_text = text.substr(slash + 1);
    unsigned len = 0;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc{} || end != len_text.data() + len_text.size() || len > 32 || len_text.empty())
        return Error{"'" + std::string(text) + "' is not a CIDR: prefix length must be 0..32"};
    return Cidr{*addr, static_cast<uint8_t>(len)};
}

Result<Cidr> Cidr::parse(std::string_view text) {
    auto cidr = parse_cidr_parts(text);
    if (!cidr) return cidr;
    uint32_t host_bits = cidr->prefix.host() & ~cidr->mask_host();
    if (host_bits != 0)
        return Error{"'" + std::string(text) + "' has host bits set (" + Ipv4::from_host(host_bits).str() +
                     "); did you mean " + Cidr{cidr->network(), cidr->length}.str() + "?"};
    return cidr;
}

Result<Cidr> Cidr::parse_interface(std::string_view text) {
    return parse_cidr_parts(text);
}

std::string Cidr::str() const {
    return prefix.str() + "/" + std::to_string(length);
}

Result<Ipv6> Ipv6::parse(std::string_view text) {
    std::string s(text);
    Ipv6 out;
    if (s.empty() || inet_pton(AF_INET6, s.c_str(), out.bytes.data()) != 1)
        return Error{"'" + s + "' is not an IPv6 address"};
    return out;
}

std::string Ipv6::str() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

namespace {

Ipv6 masked(const Ipv6 &addr, unsigned length, bool keep_network) {
    Ipv6 out = addr;
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = length > i * 8 ? std::min(8u, length - i * 8) : 0;
        auto mask = static_cast<uint8_t>(bits == 0 ? 0 : 0xFF << (8 - bits));
        out.bytes[i] = keep_network ? addr.bytes[i] & mask : addr.bytes[i] & ~mask;
    }
    return out;
}

Result<Cidr6> parse_cidr6_parts(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return Error{"'" + std::string(text) +
                     "' is not an IPv6 CIDR (expected ADDRESS/LENGTH, e.g. fd00:10:244:1::/64)"};
    auto addr = Ipv6::parse(text.substr(0, slash));
    if (!addr) return Error{"'" + std::string(text) + "' is not an IPv6 CIDR: address part is not IPv6"};
    auto len_text = text.substr(slash + 1);
    unsigned len = 0;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc{} || end != len_text.data() + len_text.size() || len > 128 || len_text.empty())
        return Error{"'" + std::string(text) + "' is not an IPv6 CIDR: prefix length must be 0..128"};
    return Cidr6{*addr, static_cast<uint8_t>(len)};
}

}  // namespace

Result<Cidr6> Cidr6::parse(std::string_view text) {
    auto cidr = parse_cidr6_parts(text);
    if (!cidr) return cidr;
    if (masked(cidr->prefix, cidr->length, false) != Ipv6{})
        return Error{"'" + std::string(text) + "' has host bits set; did you mean " +
                     Cidr6{cidr->network(), cidr->length}.str() + "?"};
    return cidr;
}

Result<Cidr6> Cidr6::parse_interface(std::string_view text) {
    return parse_cidr6_parts(text);
}

bool Cidr6::contains(const Ipv6 &addr) const {
    return masked(addr, length, true) == network();
}

Ipv6 Cidr6::network() const {
    return masked(prefix, length, true);
}

Ipv6 Cidr6::at(uint64_t offset) const {
    Ipv6 out = network();
    for (int i = 15; i >= 8 && offset; i--) {
        unsigned sum = out.bytes[i] + (offset & 0xFF);
        out.bytes[i] = static_cast<uint8_t>(sum);
        offset = (offset >> 8) + (sum >> 8);
    }
    return out;
}

std::string Cidr6::str() const {
    return prefix.str() + "/" + std::to_string(length);
}

Result<Mac> Mac::parse(std::string_view text) {
    Mac mac;
    unsigned b[6];
    char tail;
    std::string s(text);
    if (std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 ||
        s.size() != 17)
        return Error{"'" + s + "' is not a MAC address (expected aa:bb:cc:dd:ee:ff)"};
    for (int i = 0; i < 6; i++) mac.bytes[i] = static_cast<uint8_t>(b[i]);
    return mac;
}

std::string Mac::str() const {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4],
                  bytes[5]);
    return buf;
}

Mac gateway_mac_for(Ipv4 gateway) {
    Mac mac;
    mac.bytes[0] = 0x0a;
    mac.bytes[1] = 0x58;
    std::memcpy(mac.bytes.data() + 2, &gateway.be, 4);
    return mac;
}

Mac gateway_mac_for(const Ipv6 &gateway) {
    Mac mac;
    mac.bytes[0] = 0x0a;
    mac.bytes[1] = 0x58;
    // The address folded into four bytes: the per-node part of the pod CIDR
    // (fd00:10:244:N::/64) lies in its upper half, so every node's bridge
    // gets its own MAC, as with IPv4.
    for (unsigned i = 0; i < 16; i++) mac.bytes[2 + i % 4] ^= gateway.bytes[i];
    return mac;
}

}  // namespace podlane
