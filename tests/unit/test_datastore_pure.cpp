// The datastore sources' pure parts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datastore/base64.h"
#include "datastore/cidr_allocator.h"
#include "datastore/etcd_client.h"
#include "datastore/http_client.h"
#include "datastore/membership.h"

using namespace podlane;
using namespace podlane::datastore;

namespace {

Cidr cidr(const char *text) {
    return *Cidr::parse(text);
}

}  // namespace

TEST(CidrAllocator, TakesTheLowestFreeBlock) {
    auto got = next_free_cidr(cidr("10.244.0.0/16"), 24, {});
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ((*got)->str(), "10.244.0.0/24");

    got = next_free_cidr(cidr("10.244.0.0/16"), 24, {cidr("10.244.0.0/24"), cidr("10.244.2.0/24")});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ((*got)->str(), "10.244.1.0/24");
}

TEST(CidrAllocator, SkipsBlocksOverlappingClaimsOfOtherSizes) {
    // A /23 configured by hand covers .0 and .1.
    auto got = next_free_cidr(cidr("10.244.0.0/16"), 24, {cidr("10.244.0.0/23")});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ((*got)->str(), "10.244.2.0/24");
    got = next_free_cidr(cidr("10.244.0.0/16"), 26, {cidr("10.244.0.0/26")});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ((*got)->str(), "10.244.0.64/26");
}

TEST(CidrAllocator, FullClusterIsNoBlockAndBadSizesAreErrors) {
    auto got = next_free_cidr(cidr("10.244.0.0/23"), 24, {cidr("10.244.0.0/24"), cidr("10.244.1.0/24")});
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->has_value());

    auto bad = next_free_cidr(cidr("10.244.0.0/16"), 12, {});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("/12"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(next_free_cidr(cidr("10.244.0.0/16"), 31, {}).ok());
}

TEST(CidrAllocator, Ipv6BlocksAreSlash64sInOrderSkippingTakenOnes) {
    const Cidr6 cluster = *Cidr6::parse("fd00:10:244::/56");
    EXPECT_EQ(ipv6_block_length(cluster), 64);
    auto got = next_free_cidr(cluster, 64, {});
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ((*got)->str(), "fd00:10:244::/64");
    got = next_free_cidr(cluster, 64, {*Cidr6::parse("fd00:10:244::/64"), *Cidr6::parse("fd00:10:244:2::/63")});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ((*got)->str(), "fd00:10:244:1::/64");
    got = next_free_cidr(cluster, 64, {*Cidr6::parse("fd00:10:244::/57")});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ((*got)->str(), "fd00:10:244:80::/64") << "a /57 claim covers the first 128 blocks";
    EXPECT_FALSE(next_free_cidr(cluster, 64, {cluster})->has_value()) << "full";
    EXPECT_FALSE(next_free_cidr(cluster, 48, {}).ok());
    EXPECT_FALSE(next_free_cidr(cluster, 124, {}).ok());
    EXPECT_EQ(ipv6_block_length(*Cidr6::parse("fd00:1::/112")), 120);

    EXPECT_EQ(cidr_key(*Cidr6::parse("fd00:10:244:3::/64")), "fd00:10:244:3::-64");
    auto back = cidr6_from_key("fd00:10:244:3::-64");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->str(), "fd00:10:244:3::/64");
    EXPECT_FALSE(cidr6_from_key("fd00:10:244:3::").ok());
}

TEST(CidrAllocator, KeySegmentsRoundTrip) {
    EXPECT_EQ(cidr_key(cidr("10.244.3.0/24")), "10.244.3.0-24");
    auto back = cidr_from_key("10.244.3.0-24");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->str(), "10.244.3.0/24");
    EXPECT_FALSE(cidr_from_key("10.244.3.0").ok());
    EXPECT_FALSE(cidr_from_key("10.244.3.1-24").ok());  // host bits set
}

TEST(Base64, RoundTripsEveryLengthAndRejectsGarbage) {
    EXPECT_EQ(base64_encode("/podlane/nodes/"), "L3BvZGxhbmUvbm9kZXMv");
    EXPECT_EQ(base64_encode("a"), "YQ==");
    EXPECT_EQ(base64_encode("ab"), "YWI=");
    std::string all;
    for (int i = 0; i < 256; ++i) all += char(i);
    for (size_t n = 0; n <= all.size(); n += 7) {
        auto back = base64_decode(base64_encode(all.substr(0, n)));
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(*back, all.substr(0, n));
    }
    EXPECT_FALSE(base64_decode("YQ*=").ok());
}

TEST(EtcdKeys, PrefixRangeEndIsTheNextKey) {
    EXPECT_EQ(prefix_range_end("/podlane/nodes/"), "/podlane/nodes0");
    EXPECT_EQ(prefix_range_end(std::string("a\xff", 2)), "b");
}

TEST(JsonObjectSplitter, FindsObjectsWhateverTheChunking) {
    const std::string stream =
        R"({"result":{"created":true}})"
        "\n"
        R"({"result":{"events":[{"kv":{"key":"e30=","value":"IntcIn0i"}}],"note":"brace } in \"string\" {"}})"
        "\n"
        R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12"}}})";
    for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
        JsonObjectSplitter splitter;
        std::vector<std::string> objects;
        for (size_t pos = 0; pos < stream.size(); pos += chunk)
            splitter.feed(std::string_view(stream).substr(pos, chunk), [&](std::string_view o) {
                objects.emplace_back(o);
                return true;
            });
        ASSERT_EQ(objects.size(), 3u) << "chunk " << chunk;
        EXPECT_EQ(objects[0], R"({"result":{"created":true}})");
        EXPECT_NE(objects[1].find("brace } in"), std::string::npos);
        EXPECT_EQ(objects[2].back(), '}');
    }
}

TEST(JsonObjectSplitter, StopsWhenTheReaderSaysSo) {
    JsonObjectSplitter splitter;
    int seen = 0;
    bool go_on = splitter.feed("{}{}{}", [&](std::string_view) { return ++seen < 2; });
    EXPECT_FALSE(go_on);
    EXPECT_EQ(seen, 2);
}

// A watch event that never closes must not be buffered without end.
TEST(JsonObjectSplitter, AnObjectLargerThanTheCapEndsTheStream) {
    JsonObjectSplitter splitter(64);
    int seen = 0;
    auto count = [&](std::string_view) { return ++seen > 0; };
    EXPECT_TRUE(splitter.feed(R"({"small": 1})", count));
    EXPECT_EQ(seen, 1);
    EXPECT_TRUE(splitter.feed(R"({"big": ")", count));
    EXPECT_FALSE(splitter.feed(std::string(100, 'x'), count));
    ASSERT_TRUE(splitter.error());
    EXPECT_NE(splitter.error()->message.find("larger than 64 bytes"), std::string::npos) << splitter.error()->message;
    EXPECT_FALSE(splitter.feed("\"}", count)) << "a failed splitter stays failed";
    EXPECT_EQ(seen, 1);
    // Many small objects in one large chunk are fine.
    JsonObjectSplitter many(64);
    std::string chunk;
    for (int i = 0; i < 100; i++) chunk += R"({"i": 1})";
    seen = 0;
    EXPECT_TRUE(many.feed(chunk, count));
    EXPECT_EQ(seen, 100);
    EXPECT_EQ(JsonObjectSplitter().feed(std::string(2u << 20, ' '), count), true) << "whitespace is no object";
}

TEST(NodeListPublisher, PublishesSelfFirstAndOnlyChanges) {
    ClusterNode self{"a", *Ipv4::parse("192.168.1.1"), cidr("10.244.0.0/24"), {}, {}};
    std::vector<std::vector<ClusterNode>> seen;
    NodeListPublisher pub(self, [&](std::vector<ClusterNode> l) { seen.push_back(std::move(l)); });

    std::map<std::string, ClusterNode> nodes;
    pub.publish(nodes);  // empty datastore: still this node
    ASSERT_EQ(seen.size(), 1u);
    ASSERT_EQ(seen[0].size(), 1u);
    EXPECT_EQ(seen[0][0], self);

    nodes["b"] = {"b", *Ipv4::parse("192.168.1.2"), cidr("10.244.1.0/24"), {}, {}};
    // The datastore's entry for this node never replaces the config's.
    nodes["a"] = {"a", *Ipv4::parse("192.168.1.99"), cidr("10.244.9.0/24"), {}, {}};
    pub.publish(nodes);
    pub.publish(nodes);  // unchanged: not published again
    ASSERT_EQ(seen.size(), 2u);
    ASSERT_EQ(seen[1].size(), 2u);
    EXPECT_EQ(seen[1][0], self);
    EXPECT_EQ(seen[1][1].name, "b");
}

TEST(NodeListPublisher, WatcherThatIsNoNodePublishesTheNodesOnly) {
    std::vector<std::vector<ClusterNode>> seen;
    NodeListPublisher pub(std::nullopt, [&](std::vector<ClusterNode> l) { seen.push_back(std::move(l)); });
    std::map<std::string, ClusterNode> nodes;
    pub.publish(nodes);  // an empty datastore is an empty list, still published once
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(seen[0].empty());
    nodes["b"] = {"b", *Ipv4::parse("192.168.1.2"), cidr("10.244.1.0/24"), {}, {}};
    nodes["a"] = {"a", *Ipv4::parse("192.168.1.1"), cidr("10.244.0.0/24"), {}, {}};
    pub.publish(nodes);
    pub.publish(nodes);
    ASSERT_EQ(seen.size(), 2u);
    ASSERT_EQ(seen[1].size(), 2u);
    EXPECT_EQ(seen[1][0].name, "a");
    EXPECT_EQ(seen[1][1].name, "b");
}

TEST(OutageLog, LogsOncePerOutage) {
    std::vector<std::string> lines;
    OutageLog outage("etcd (http://127.0.0.1:1)", [&](const std::string &l) { lines.push_back(l); });
    outage.recovered();  // no outage yet: silent
    for (int i = 0; i < 5; ++i) outage.failed(Error{"connection refused"}, "list");
    EXPECT_TRUE(outage.down());
    outage.recovered();
    outage.recovered();
    outage.failed(Error{"timeout"}, "watch");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_NE(lines[0].find("unreachable: connection refused; keeping the current routes"), std::string::npos)
        << lines[0];
    EXPECT_NE(lines[1].find("reachable again"), std::string::npos);
    EXPECT_NE(lines[2].find("timeout"), std::string::npos);
}

TEST(OutageLog, EveryFailureAndTheRecoveryReachTheHealthListener) {
    std::vector<std::pair<bool, std::string>> heard;
    OutageLog outage("etcd", {}, [&](bool up, const std::string &kind) { heard.emplace_back(up, kind); });
    outage.recovered();  // no outage: nothing to tell
    outage.failed(Error{"refused"}, "list");
    outage.failed(Error{"refused"}, "list");  // logged once, counted twice
    outage.recovered();
    outage.failed(Error{"reset"}, "watch");
    const std::vector<std::pair<bool, std::string>> want{
        {false, "list"}, {false, "list"}, {true, ""}, {false, "watch"}};
    EXPECT_EQ(heard, want);
}

TEST(HttpClient, RefusedConnectionIsAnErrorNamingTheUrl) {
    HttpClient http;
    auto resp =
        http.send({.method = "GET", .url = "http://127.0.0.1:1/health", .body = {}, .headers = {}, .timeout_ms = 2000});
    ASSERT_FALSE(resp.ok());
    EXPECT_NE(resp.error().message.find("http://127.0.0.1:1/health"), std::string::npos) << resp.error().message;
}
