#include <gtest/gtest.h>

#include "podlane/ip.h"

namespace podlane {
namespace {

TEST(Ipv4, ParsesDottedQuadInNetworkOrder) {
    auto ip = Ipv4::parse("10.244.1.2");
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->host(), 0x0AF40102u);
    EXPECT_EQ(ip->str(), "10.244.1.2");
}

TEST(Ipv4, RejectsMalformed) {
    for (const char *bad : {"", "10.244.1", "10.244.1.256", "a.b.c.d", "10.244.1.2 ", "::1", "10.244.1.2/24"}) {
        auto ip = Ipv4::parse(bad);
        EXPECT_FALSE(ip) << bad;
        if (!ip) {
            EXPECT_NE(ip.error().message.find("not an IPv4 address"), std::string::npos);
        }
    }
}

TEST(Cidr, ParsesAndFormats) {
    auto c = Cidr::parse("10.244.1.0/24");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->length, 24);
    EXPECT_EQ(c->str(), "10.244.1.0/24");
    EXPECT_EQ(c->first_host().str(), "10.244.1.1");
    EXPECT_EQ(c->broadcast().str(), "10.244.1.255");
    EXPECT_EQ(c->size(), 256u);
}

TEST(Cidr, HostBitsAreNamed) {
    auto c = Cidr::parse("10.244.1.7/24");
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("host bits set (0.0.0.7)"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("10.244.1.0/24"), std::string::npos) << "suggests the network";
    EXPECT_TRUE(Cidr::parse_interface("10.244.1.7/24"));
}

TEST(Cidr, RejectsMalformed) {
    for (const char *bad : {"10.244.1.0", "10.244.1.0/", "10.244.1.0/33", "10.244.1.0/-1", "10.244.1.0/24x", "x/24"})
        EXPECT_FALSE(Cidr::parse(bad)) << bad;
}

TEST(Cidr, ContainmentAndOverlap) {
    auto cluster = *Cidr::parse("10.244.0.0/16");
    auto node = *Cidr::parse("10.244.2.0/24");
    EXPECT_TRUE(cluster.contains(node));
    EXPECT_FALSE(node.contains(cluster));
    EXPECT_TRUE(node.overlaps(cluster));
    EXPECT_TRUE(node.contains(*Ipv4::parse("10.244.2.255")));
    EXPECT_FALSE(node.contains(*Ipv4::parse("10.244.3.0")));
    EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(*Ipv4::parse("1.2.3.4")));
}

TEST(Ipv6, ParsesAndPrintsTheShortForm) {
    auto a = Ipv6::parse("fd00:10:244:1:0:0:0:a");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->str(), "fd00:10:244:1::a");
    EXPECT_EQ(a->bytes[0], 0xfd);
    EXPECT_EQ(a->bytes[15], 0x0a);
    for (const char *bad : {"", "10.244.1.1", "fd00::1::2", "fd00:10:244:1::a/64", "gggg::1", "fd00:10:244:1::a "})
        EXPECT_FALSE(Ipv6::parse(bad)) << bad;
    EXPECT_EQ(Ipv6::parse("::ffff:10.244.2.20")->str(), "::ffff:10.244.2.20");
}

TEST(Cidr6, StrictParseNamesTheFix) {
    auto c = Cidr6::parse("fd00:10:244:2::/64");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->length, 64);
    EXPECT_EQ(c->str(), "fd00:10:244:2::/64");
    auto host_bits = Cidr6::parse("fd00:10:244:2::5/64");
    ASSERT_FALSE(host_bits);
    EXPECT_NE(host_bits.error().message.find("did you mean fd00:10:244:2::/64"), std::string::npos)
        << host_bits.error().message;
    EXPECT_TRUE(Cidr6::parse_interface("fd00:10:244:2::5/64"));
    for (const char *bad : {"fd00::/129", "fd00::", "fd00::/", "fd00::/6x", "10.244.0.0/16", "/64"})
        EXPECT_FALSE(Cidr6::parse(bad)) << bad;
}

TEST(Cidr6, ContainmentAndAddressing) {
    auto cluster = *Cidr6::parse("fd00:10:244::/56");
    auto node = *Cidr6::parse("fd00:10:244:2::/64");
    EXPECT_TRUE(cluster.contains(node));
    EXPECT_FALSE(node.contains(cluster));
    EXPECT_TRUE(node.overlaps(cluster));
    EXPECT_TRUE(node.contains(*Ipv6::parse("fd00:10:244:2:ffff:ffff:ffff:ffff")));
    EXPECT_FALSE(node.contains(*Ipv6::parse("fd00:10:244:3::")));
    EXPECT_FALSE(cluster.contains(*Cidr6::parse("fd00:10:245::/64")));
    EXPECT_TRUE(Cidr6::parse("::/0")->contains(*Ipv6::parse("2001:db8::1")));
    EXPECT_TRUE(Cidr6::parse("fd00:10:244:2::5/128")->contains(*Ipv6::parse("fd00:10:244:2::5")));
    EXPECT_FALSE(Cidr6::parse("fd00:10:244:2::5/128")->contains(*Ipv6::parse("fd00:10:244:2::6")));
    EXPECT_EQ(node.at(1).str(), "fd00:10:244:2::1");
    EXPECT_EQ(node.at(0x1ff).str(), "fd00:10:244:2::1ff");
    EXPECT_EQ(node.at(0x1'0000'0000ULL).str(), "fd00:10:244:2:0:1::");
    EXPECT_EQ(Cidr6::parse_interface("fd00:10:244:2::5/64")->network().str(), "fd00:10:244:2::");
}

TEST(Mac, RoundTrip) {
    auto m = Mac::parse("0a:58:0a:f4:01:0a");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->bytes[5], 0x0a);
    EXPECT_EQ(m->str(), "0a:58:0a:f4:01:0a");
    EXPECT_FALSE(Mac::parse("0a:58:0a:f4:01"));
    EXPECT_FALSE(Mac::parse("0a:58:0a:f4:01:0a:ff"));
    EXPECT_FALSE(Mac::parse("zz:58:0a:f4:01:0a"));
}

TEST(Mac, GatewayMacEmbedsTheAddress) {
    EXPECT_EQ(gateway_mac_for(*Ipv4::parse("10.244.1.1")).str(), "0a:58:0a:f4:01:01");
}

}  // namespace
}  // namespace podlane
