#include "packet.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace podlane::test {
namespace {

uint16_t checksum(const uint8_t *data, size_t len) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2) sum += (data[i] << 8) | data[i + 1];
    if (len & 1) sum += data[len - 1] << 8;
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

void put16(std::vector<uint8_t> &v, uint16_t x) {
    v.push_back(x >> 8);
    v.push_back(x & 0xFF);
}

}  // namespace

std::vector<uint8_t> PacketBuilder::build() const {
    std::vector<uint8_t> f;
    f.insert(f.end(), eth_dst_.begin(), eth_dst_.end());
    f.insert(f.end(), std::begin(kPacketSrcMac), std::end(kPacketSrcMac));
    if (vlan_) {
        put16(f, 0x8100);
        put16(f, vlan_);
    }
    put16(f, ethertype_);

    size_t ip_start = f.size();
    size_t hlen = 20 + options_.size();
    uint8_t ihl = ihl_override_ ? ihl_override_ : static_cast<uint8_t>(hlen / 4);
    f.push_back(static_cast<uint8_t>((version_ << 4) | (ihl & 0x0F)));
    f.push_back(0);                                    // DSCP/ECN
    put16(f, static_cast<uint16_t>(hlen + payload_));  // total length
    put16(f, 0x1234);                                  // id
    put16(f, static_cast<uint16_t>((more_ ? 0x2000 : 0) | (frag_off_ & 0x1FFF)));
    f.push_back(ttl_);
    f.push_back(proto_);
    put16(f, 0);  // checksum, below
    in_addr a{};
    inet_pton(AF_INET, src_.c_str(), &a);
    f.insert(f.end(), reinterpret_cast<uint8_t *>(&a), reinterpret_cast<uint8_t *>(&a) + 4);
    inet_pton(AF_INET, dst_.c_str(), &a);
    f.insert(f.end(), reinterpret_cast<uint8_t *>(&a), reinterpret_cast<uint8_t *>(&a) + 4);
    f.insert(f.end(), options_.begin(), options_.end());
    uint16_t sum = checksum(f.data() + ip_start, hlen);
    f[ip_start + 10] = sum >> 8;
    f[ip_start + 11] = sum & 0xFF;
    size_t l4_start = f.size();
    for (size_t i = 0; i < payload_; i++) f.push_back(static_cast<uint8_t>(i));
    if (l4_) {
        const size_t l4_len = proto_ == 6 ? 20 : 8;
        if (f.size() < l4_start + l4_len) f.resize(l4_start + l4_len);
        f[l4_start] = sport_ >> 8;
        f[l4_start + 1] = sport_ & 0xFF;
        f[l4_start + 2] = dport_ >> 8;
        f[l4_start + 3] = dport_ & 0xFF;
        if (proto_ == 6) {
            f[l4_start + 12] = 5 << 4;  // data offset: 20 bytes
            f[l4_start + 13] = tcp_flags_;
        }
        // Keep the IP total length true to the frame.
        const size_t total = f.size() - ip_start;
        f[ip_start + 2] = static_cast<uint8_t>(total >> 8);
        f[ip_start + 3] = static_cast<uint8_t>(total & 0xFF);
        f[ip_start + 10] = f[ip_start + 11] = 0;
        uint16_t fixed = checksum(f.data() + ip_start, hlen);
        f[ip_start + 10] = fixed >> 8;
        f[ip_start + 11] = fixed & 0xFF;
    }
    if (tot_len_override_ || bad_checksum_) {
        if (tot_len_override_) {
            f[ip_start + 2] = static_cast<uint8_t>(tot_len_override_ >> 8);
            f[ip_start + 3] = static_cast<uint8_t>(tot_len_override_ & 0xFF);
        }
        f[ip_start + 10] = f[ip_start + 11] = 0;
        uint16_t fixed = checksum(f.data() + ip_start, hlen);
        if (bad_checksum_) fixed ^= 0x0101;
        f[ip_start + 10] = fixed >> 8;
        f[ip_start + 11] = fixed & 0xFF;
    }
    if (truncate_ && truncate_ < f.size()) f.resize(truncate_);
    return f;
}

std::vector<uint8_t> Packet6Builder::build() const {
    std::vector<uint8_t> f;
    f.insert(f.end(), eth_dst_.begin(), eth_dst_.end());
    f.insert(f.end(), std::begin(kPacketSrcMac), std::end(kPacketSrcMac));
    put16(f, 0x86DD);

    const size_t ip_start = f.size();
    f.push_back(static_cast<uint8_t>(version_ << 4));
    f.push_back(0);
    put16(f, 0);  // flow label's low bits
    put16(f, 0);  // payload length, below
    f.push_back(exts_.empty() ? proto_ : exts_.front().type);
    f.push_back(hop_limit_);
    in6_addr a{};
    inet_pton(AF_INET6, src_.c_str(), &a);
    f.insert(f.end(), a.s6_addr, a.s6_addr + 16);
    inet_pton(AF_INET6, dst_.c_str(), &a);
    f.insert(f.end(), a.s6_addr, a.s6_addr + 16);

    for (size_t i = 0; i < exts_.size(); i++) {
        const Ext &e = exts_[i];
        const uint8_t next = i + 1 < exts_.size() ? exts_[i + 1].type : proto_;
        size_t size = e.type == 44 ? 8 : e.type == 51 ? (e.length_field + 2u) * 4 : (e.length_field + 1u) * 8;
        size_t start = f.size();
        f.resize(start + size, 0);
        f[start] = next;
        if (e.type == 44) {
            uint16_t off = static_cast<uint16_t>((e.frag_offset << 3) | (e.more ? 1 : 0));
            f[start + 2] = off >> 8;
            f[start + 3] = off & 0xFF;
            f[start + 7] = 0x42;  // identification
        } else {
            f[start + 1] = e.length_field;
            if (e.type == 0 || e.type == 60) {  // options: one PadN filling the header
                f[start + 2] = 1;
                f[start + 3] = static_cast<uint8_t>(size - 4);
            }
        }
    }
    const size_t l4_start = f.size();
    const size_t l4_len = proto_ == 6 ? 20 : proto_ == 17 ? 8 : 0;
    f.resize(l4_start + std::max(l4_len, payload_), 0);
    for (size_t i = l4_len; i < f.size() - l4_start; i++) f[l4_start + i] = static_cast<uint8_t>(i);
    if (l4_len) {
        f[l4_start] = sport_ >> 8;
        f[l4_start + 1] = sport_ & 0xFF;
        f[l4_start + 2] = dport_ >> 8;
        f[l4_start + 3] = dport_ & 0xFF;
        if (proto_ == 6) {
            f[l4_start + 12] = 5 << 4;
            f[l4_start + 13] = tcp_flags_;
        }
    }
    const size_t payload = payload_len_override_ ? payload_len_override_ : f.size() - ip_start - 40;
    f[ip_start + 4] = static_cast<uint8_t>(payload >> 8);
    f[ip_start + 5] = static_cast<uint8_t>(payload & 0xFF);
    if (truncate_ && truncate_ < f.size()) f.resize(truncate_);
    return f;
}

bool ipv4_checksum_ok(const std::vector<uint8_t> &frame, size_t offset) {
    if (frame.size() < offset + 20) return false;
    size_t hlen = (frame[offset] & 0x0F) * 4;
    return checksum(frame.data() + offset, hlen) == 0;
}

MacBytes frame_dst_mac(const std::vector<uint8_t> &frame) {
    MacBytes m{};
    std::memcpy(m.data(), frame.data(), 6);
    return m;
}

MacBytes frame_src_mac(const std::vector<uint8_t> &frame) {
    MacBytes m{};
    std::memcpy(m.data(), frame.data() + 6, 6);
    return m;
}

}  // namespace podlane::test
