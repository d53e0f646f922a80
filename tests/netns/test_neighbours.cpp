// podlaned's managed neighbour entries outlive it in the kernel: a restarted
// agent must find its own (and only its own) and remove those no route uses.
#include <gtest/gtest.h>

#include <algorithm>

#include "podlane/neighbours.h"
#include "podlane/netlink.h"
#include "privileges.h"

namespace podlane {
namespace {

bool listed(const std::vector<Neighbour> &table, int ifindex, const char *ip) {
    return std::any_of(table.begin(), table.end(),
                       [&](const Neighbour &n) { return n.ifindex == ifindex && n.ip == *Ipv4::parse(ip); });
}

TEST(Neighbours, LeftoverEntriesOfAPreviousRunAreFoundAndRemoved) {
    PODLANE_REQUIRE_ROOT();
    // The whole process moves to a fresh namespace: nothing reaches the
    // machine's own, and everything goes with the namespace at exit.
    if (auto why = test::enter_private_netns(); !why.empty()) GTEST_SKIP() << why;
    auto nl = Netlink::open();
    ASSERT_TRUE(nl) << nl.error().message;
    auto uplink = nl->ensure_bridge("pl-nbr0");
    ASSERT_TRUE(uplink) << uplink.error().message;
    ASSERT_TRUE(nl->set_up(uplink->index));
    ASSERT_TRUE(nl->add_address(uplink->index, *Cidr::parse_interface("192.0.2.1/24")));

    {  // a previous podlaned: two next hops, and an entry someone else made
        auto table = NeighbourTable::open();
        ASSERT_TRUE(table);
        for (const char *ip : {"192.0.2.7", "192.0.2.8"}) {
            auto st = table->keep_resolved(uplink->index, *Ipv4::parse(ip));
            if (!st && st.error().errnum == EINVAL) GTEST_SKIP() << "no managed neighbours: " << st.error().message;
            ASSERT_TRUE(st) << st.error().message;
        }
        ASSERT_TRUE(table->resolve(uplink->index, *Ipv4::parse("192.0.2.9")));
    }

    auto table = NeighbourTable::open();
    ASSERT_TRUE(table);
    auto ours = table->podlane_entries(0);
    ASSERT_TRUE(ours) << ours.error().message;
    std::set<NeighbourKey> want_ours = {{uplink->index, *Ipv4::parse("192.0.2.7")},
                                        {uplink->index, *Ipv4::parse("192.0.2.8")}};
    EXPECT_EQ(*ours, want_ours) << "only the entries podlaned made";

    // The new run's routes use .7 only: .8 belonged to a node that left.
    auto removed = forget_leftover_neighbours(*table, uplink->index, {{uplink->index, *Ipv4::parse("192.0.2.7")}});
    ASSERT_TRUE(removed) << removed.error().message;
    ASSERT_EQ(removed->size(), 1u);
    EXPECT_EQ((*removed)[0].second.str(), "192.0.2.8");
    auto after = table->list();
    ASSERT_TRUE(after);
    EXPECT_TRUE(listed(*after, uplink->index, "192.0.2.7"));
    EXPECT_FALSE(listed(*after, uplink->index, "192.0.2.8"));
    EXPECT_TRUE(listed(*after, uplink->index, "192.0.2.9")) << "not podlaned's: left alone";
}

// The IPv6 next hops of a dual-stack node: managed NDP entries, tagged and
// found again like the IPv4 ones, never confused with them.
TEST(Neighbours, Ipv6EntriesAreKeptFoundAndRemovedApartFromIpv4) {
    PODLANE_REQUIRE_ROOT();
    if (auto why = test::enter_private_netns(); !why.empty()) GTEST_SKIP() << why;
    auto nl = Netlink::open();
    ASSERT_TRUE(nl) << nl.error().message;
    auto uplink = nl->ensure_bridge("pl-nbr6");
    ASSERT_TRUE(uplink) << uplink.error().message;
    ASSERT_TRUE(nl->set_up(uplink->index));
    ASSERT_TRUE(nl->add_address(uplink->index, *Cidr::parse_interface("192.0.2.1/24")));
    ASSERT_TRUE(nl->add_address6(uplink->index, *Ipv6::parse("2001:db8::1"), 64));

    auto table = NeighbourTable::open();
    ASSERT_TRUE(table);
    for (const char *ip : {"2001:db8::7", "2001:db8::8"}) {
        auto st = table->keep_resolved(uplink->index, *Ipv6::parse(ip));
        if (!st && st.error().errnum == EINVAL) GTEST_SKIP() << "no managed neighbours: " << st.error().message;
        ASSERT_TRUE(st) << st.error().message;
    }
    ASSERT_TRUE(table->keep_resolved(uplink->index, *Ipv4::parse("192.0.2.7")));
    auto ours6 = table->podlane_entries6(0);
    ASSERT_TRUE(ours6) << ours6.error().message;
    std::set<NeighbourKey6> want6 = {{uplink->index, *Ipv6::parse("2001:db8::7")},
                                     {uplink->index, *Ipv6::parse("2001:db8::8")}};
    EXPECT_EQ(*ours6, want6);
    EXPECT_EQ(table->podlane_entries(0)->size(), 1u) << "the IPv4 scan sees the IPv4 entry only";

    auto removed = forget_leftover_neighbours(*table, uplink->index,
                                              std::set<NeighbourKey6>{{uplink->index, *Ipv6::parse("2001:db8::7")}});
    ASSERT_TRUE(removed) << removed.error().message;
    ASSERT_EQ(removed->size(), 1u);
    EXPECT_EQ((*removed)[0].second.str(), "2001:db8::8");
    std::set<NeighbourKey6> left = {{uplink->index, *Ipv6::parse("2001:db8::7")}};
    EXPECT_EQ(*table->podlane_entries6(0), left);
    EXPECT_EQ(table->podlane_entries(0)->size(), 1u) << "IPv4 entries untouched";
    ASSERT_TRUE(table->forget(uplink->index, *Ipv6::parse("2001:db8::7")));
    EXPECT_TRUE(table->podlane_entries6(0)->empty());
    EXPECT_TRUE(table->forget(uplink->index, *Ipv6::parse("2001:db8::7"))) << "forgetting twice is fine";
}

}  // namespace
}  // namespace podlane
