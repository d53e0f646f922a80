// Crafted Ethernet/IPv4 frames for BPF_PROG_TEST_RUN: valid by default, each
// setter breaks or changes one thing.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace podlane::test {

using MacBytes = std::array<uint8_t, 6>;

class PacketBuilder {
public:
    PacketBuilder &dst(const std::string &ip) {
        dst_ = ip;
        return *this;
    }
    PacketBuilder &src(const std::string &ip) {
        src_ = ip;
        return *this;
    }
    PacketBuilder &ttl(uint8_t ttl) {
        ttl_ = ttl;
        return *this;
    }
    PacketBuilder &ethertype(uint16_t type) {
        ethertype_ = type;
        return *this;
    }
    PacketBuilder &vlan(uint16_t id) {
        vlan_ = id;
        return *this;
    }
    PacketBuilder &ip_options(std::vector<uint8_t> options) {
        options_ = std::move(options);
        return *this;
    }
    PacketBuilder &fragment(uint16_t offset_8byte_units, bool more) {
        frag_off_ = offset_8byte_units;
        more_ = more;
        return *this;
    }
    PacketBuilder &version(uint8_t v) {
        version_ = v;
        return *this;
    }
    PacketBuilder &ihl(uint8_t words) {
        ihl_override_ = words;
        return *this;
    }
    PacketBuilder &payload_size(size_t n) {
        payload_ = n;
        return *this;
    }
    PacketBuilder &eth_dst(MacBytes mac) {
        eth_dst_ = mac;
        return *this;
    }
    // An L4 header at the start of the payload (the payload grows to hold
    // it). ICMP: any protocol number with no header.
    PacketBuilder &tcp(uint16_t sport, uint16_t dport, uint8_t flags) {
        proto_ = 6;
        sport_ = sport;
        dport_ = dport;
        tcp_flags_ = flags;
        l4_ = true;
        return *this;
    }
    PacketBuilder &udp(uint16_t sport, uint16_t dport) {
        proto_ = 17;
        sport_ = sport;
        dport_ = dport;
        l4_ = true;
        return *this;
    }
    PacketBuilder &protocol(uint8_t proto) {
        proto_ = proto;
        return *this;
    }
    // An IPv4 total length that claims this many bytes (checksum kept valid).
    PacketBuilder &tot_len(uint16_t n) {
        tot_len_override_ = n;
        return *this;
    }
    // A header checksum that does not verify.
    PacketBuilder &bad_checksum() {
        bad_checksum_ = true;
        return *this;
    }
    // Cut the frame to this many bytes after building.
    PacketBuilder &truncate(size_t n) {
        truncate_ = n;
        return *this;
    }

    std::vector<uint8_t> build() const;

private:
    std::string src_ = "10.244.1.10", dst_ = "10.244.2.20";
    uint8_t ttl_ = 64, version_ = 4, ihl_override_ = 0;
    uint16_t ethertype_ = 0x0800, vlan_ = 0, frag_off_ = 0;
    bool more_ = false;
    std::vector<uint8_t> options_;
    size_t payload_ = 32, truncate_ = 0;
    uint8_t proto_ = 17, tcp_flags_ = 0;
    uint16_t sport_ = 0, dport_ = 0;
    bool l4_ = false, bad_checksum_ = false;
    uint16_t tot_len_override_ = 0;
    // BPF_PROG_TEST_RUN gives a TC frame the loopback device, whose MAC is
    // zero: eth_type_trans marks a frame for it PACKET_HOST, as a real
    // frame for the receiving host. Any other unicast MAC is OTHERHOST.
    MacBytes eth_dst_{0, 0, 0, 0, 0, 0};
};

// The IPv6 counterpart: an Ethernet/IPv6 frame, valid by default (UDP).
class Packet6Builder {
public:
    Packet6Builder &dst(const std::string &ip) {
        dst_ = ip;
        return *this;
    }
    Packet6Builder &src(const std::string &ip) {
        src_ = ip;
        return *this;
    }
    Packet6Builder &hop_limit(uint8_t n) {
        hop_limit_ = n;
        return *this;
    }
    Packet6Builder &version(uint8_t v) {
        version_ = v;
        return *this;
    }
    Packet6Builder &payload_size(size_t n) {
        payload_ = n;
        return *this;
    }
    // A payload length field that claims this many bytes.
    Packet6Builder &payload_len(uint16_t n) {
        payload_len_override_ = n;
        return *this;
    }
    Packet6Builder &eth_dst(MacBytes mac) {
        eth_dst_ = mac;
        return *this;
    }
    Packet6Builder &tcp(uint16_t sport, uint16_t dport, uint8_t flags) {
        proto_ = 6;
        sport_ = sport;
        dport_ = dport;
        tcp_flags_ = flags;
        return *this;
    }
    Packet6Builder &udp(uint16_t sport, uint16_t dport) {
        proto_ = 17;
        sport_ = sport;
        dport_ = dport;
        return *this;
    }
    // ICMPv6 (58) or any upper-layer protocol, with no header of its own.
    Packet6Builder &protocol(uint8_t proto) {
        proto_ = proto;
        return *this;
    }
    // An extension header of this type (0 hop-by-hop, 43 routing, 60
    // destination options, 51 AH) and its length field, in the order added.
    Packet6Builder &ext(uint8_t type, uint8_t length_field = 0) {
        exts_.push_back({type, length_field, 0, false});
        return *this;
    }
    Packet6Builder &fragment(uint16_t offset_8byte_units, bool more) {
        exts_.push_back({44, 0, offset_8byte_units, more});
        return *this;
    }
    Packet6Builder &truncate(size_t n) {
        truncate_ = n;
        return *this;
    }

    std::vector<uint8_t> build() const;

private:
    struct Ext {
        uint8_t type, length_field;
        uint16_t frag_offset;
        bool more;
    };
    std::string src_ = "fd00:10:244:1::a", dst_ = "fd00:10:244:2::14";
    uint8_t hop_limit_ = 64, version_ = 6, proto_ = 17, tcp_flags_ = 0;
    uint16_t sport_ = 1000, dport_ = 2000, payload_len_override_ = 0;
    size_t payload_ = 32, truncate_ = 0;
    std::vector<Ext> exts_;
    MacBytes eth_dst_{0, 0, 0, 0, 0, 0};
};

inline constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

// Offsets into a frame built without a VLAN tag.
inline constexpr size_t kIpOffset = 14;
inline constexpr size_t kTtlOffset = kIpOffset + 8;
inline constexpr size_t kHopLimitOffset = kIpOffset + 7;
inline constexpr uint8_t kPacketSrcMac[6] = {0x02, 0, 0, 0, 0, 0x10};  // every frame's source MAC

// True when the IPv4 header at `offset` has a valid checksum.
bool ipv4_checksum_ok(const std::vector<uint8_t> &frame, size_t offset = kIpOffset);
MacBytes frame_dst_mac(const std::vector<uint8_t> &frame);
MacBytes frame_src_mac(const std::vector<uint8_t> &frame);

}  // namespace podlane::test
