// The shared config rules: JSON field helpers and the kernel's interface-name
// rule, as podlaned's node file, the router's file and the CNI plugin apply them.
#include <gtest/gtest.h>

#include <vector>

#include "podlane/config_fields.h"
#include "podlane/ifname.h"
#include "podlane/node_config.h"
#include "podlane/node_file_fields.h"

namespace podlane {
namespace {

using nlohmann::json;

// The error's message, or "" when the call succeeded.
template <typename T>
std::string message_of(const Result<T> &r) {
    return r ? "" : r.error().message;
}

TEST(Ifname, TheKernelsRule) {
    for (const char *good : {"eth0", "a", "podlane0", "br-x", "fifteen-chars-x", "veth_1.2", "..."})
        EXPECT_TRUE(valid_ifname(good)) << good;
    for (const std::string &bad : std::vector<std::string>{"", ".", "..", "sixteen-chars-xx", "a/b", "br:0", "a b",
                                                           "a\tb", "a\nb", "\xa0x", std::string("a\0b", 3)})
        EXPECT_FALSE(valid_ifname(bad)) << bad;
    EXPECT_TRUE(check_ifname("eth0"));
    auto st = check_ifname("br:0");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message, std::string("'br:0' is not an interface name (") + kIfnameRule + ")");
}

TEST(ParseJsonObject, RefusesWhatIsNotAnObject) {
    EXPECT_EQ(message_of(parse_json_object("{")), "not valid JSON");
    EXPECT_EQ(message_of(parse_json_object("[1]")), "top level must be a JSON object");
    EXPECT_TRUE(parse_json_object(R"({"a": 1})"));
}

TEST(ConfigFields, StringsAreNonEmptyAndNullIsAbsent) {
    const json doc = {{"s", "x"}, {"empty", ""}, {"number", 5}, {"null", nullptr}};
    const ConfigFields top(doc);
    EXPECT_EQ(*top.required_string("s"), "x");
    EXPECT_EQ(message_of(top.required_string("absent")), "absent: missing (required)");
    EXPECT_EQ(message_of(top.required_string("null")), "null: missing (required)");
    EXPECT_EQ(message_of(top.required_string("empty")), "empty: must be a non-empty string");
    EXPECT_EQ(message_of(top.optional_string("number")), "number: must be a non-empty string");
    EXPECT_FALSE(top.optional_string("absent")->has_value());
    EXPECT_EQ(*top.string_or("absent", "fallback"), "fallback");
    EXPECT_FALSE(top.has("null"));
    EXPECT_TRUE(top.has("empty"));
}

TEST(ConfigFields, MessagesLocateTheObject) {
    const json entry = {{"podCIDR", "10.244.1.5/24"}};
    const ConfigFields fields(entry, "nodes[2].");
    EXPECT_EQ(
        message_of(fields.required<Cidr>("podCIDR")).rfind("nodes[2].podCIDR: '10.244.1.5/24' has host bits set", 0),
        0u)
        << message_of(fields.required<Cidr>("podCIDR"));
    EXPECT_EQ(fields.error("name", "why").message, "nodes[2].name: why");
}

TEST(ConfigFields, ParsedValues) {
    const json doc = {{"ip", "10.0.0.1"}, {"cidr", "10.244.0.0/16"}, {"mac", "0a:58:0a:f4:01:01"}, {"bad", "x"}};
    const ConfigFields top(doc);
    EXPECT_EQ(top.required<Ipv4>("ip")->str(), "10.0.0.1");
    EXPECT_EQ(top.required<Cidr>("cidr")->str(), "10.244.0.0/16");
    EXPECT_EQ(top.required<Mac>("mac")->str(), "0a:58:0a:f4:01:01");
    EXPECT_EQ(message_of(top.required<Ipv4>("bad")), "bad: 'x' is not an IPv4 address");
    EXPECT_EQ(message_of(top.required<Mac>("absent")), "absent: missing (required)");
    EXPECT_FALSE(top.optional<Ipv4>("absent")->has_value());
    EXPECT_EQ(top.value_or<Cidr>("absent", *Cidr::parse("10.0.0.0/8"))->str(), "10.0.0.0/8");
    EXPECT_FALSE(top.value_or<Cidr>("bad", *Cidr::parse("10.0.0.0/8")));
}

TEST(ConfigFields, NumbersAndBooleans) {
    const json doc = {{"mtu", 1400}, {"negative", -1}, {"fraction", 1.5}, {"text", "1500"}, {"yes", true}};
    const ConfigFields top(doc);
    EXPECT_EQ(**top.optional_uint("mtu", 68, 65535), 1400u);
    const std::string range = "must be an integer between 68 and 65535";
    for (const char *key : {"negative", "fraction", "text"})
        EXPECT_EQ(message_of(top.optional_uint(key, 68, 65535)), std::string(key) + ": " + range);
    EXPECT_FALSE(top.optional_uint("mtu", 1500, 9000));
    EXPECT_FALSE(top.optional_uint("absent", 0, 1)->has_value());
    EXPECT_EQ(**top.optional_bool("yes"), true);
    EXPECT_EQ(message_of(top.optional_bool("mtu")), "mtu: must be true or false");
}

TEST(ConfigFields, InterfaceNamesFolderNamesAndPaths) {
    const json doc = {{"uplink", "eth0"},    {"colon", "br:0"}, {"long", "a-name-that-is-far-too-long"},
                      {"name", "node1"},     {"slash", "a/b"},  {"dots", ".."},
                      {"abs", "/var/x"},     {"rel", "var/x"},  {"obj", json::object()},
                      {"arr", json::array()}};
    const ConfigFields top(doc);
    EXPECT_EQ(*top.required_ifname("uplink"), "eth0");
    EXPECT_EQ(message_of(top.required_ifname("colon")),
              "colon: 'br:0' is not an interface name (" + std::string(kIfnameRule) + ")");
    EXPECT_FALSE(top.optional_ifname("long"));
    EXPECT_EQ(*top.ifname_or("absent", "podlane0"), "podlane0");
    EXPECT_FALSE(top.ifname_or("colon", "podlane0"));
    EXPECT_EQ(*top.required_folder_name("name"), "node1");
    EXPECT_EQ(message_of(top.required_folder_name("slash")), "slash: 'a/b' cannot be used as a folder name");
    EXPECT_FALSE(top.required_folder_name("dots"));
    EXPECT_EQ(**top.optional_absolute_path("abs"), "/var/x");
    EXPECT_EQ(message_of(top.optional_absolute_path("rel")), "rel: 'var/x' must be an absolute path");
    EXPECT_TRUE(top.optional_object("obj")->has_value());
    EXPECT_EQ(message_of(top.optional_object("arr", "{a, b}")), "arr: must be an object {a, b}");
    EXPECT_TRUE(top.optional_array("arr")->has_value());
    EXPECT_EQ(message_of(top.optional_array("obj")), "obj: must be an array");
}

TEST(NodeFileFields, IdentityDefaults) {
    const json doc = {{"nodeName", "n1"}, {"nodeIP", "192.160.1.11"}};
    auto id = parse_agent_identity(ConfigFields(doc));
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->pin_root, kDefaultPinRoot);
    EXPECT_EQ(id->cluster_cidr.str(), kDefaultClusterCidr);
}

TEST(NodeFileFields, NodeListErrorsNameTheEntry) {
    const Cidr cluster = *Cidr::parse("10.244.0.0/16");
    auto nodes_error = [&](json list) {
        const json doc = {{"nodes", std::move(list)}};
        return message_of(parse_cluster_nodes(ConfigFields(doc), cluster));
    };
    const json a = {{"name", "a"}, {"nodeIP", "192.160.1.2"}, {"podCIDR", "10.244.2.0/24"}};
    EXPECT_EQ(nodes_error(json::array({a, 7})), "nodes[1]: must be an object");
    EXPECT_EQ(nodes_error(json::array({a, a})).rfind("nodes[1].name: 'a' appears twice", 0), 0u);
    json b = a;
    b["name"] = "b";
    b["podCIDR"] = "10.244.2.0/23";
    EXPECT_EQ(nodes_error(json::array({a, b})).rfind("nodes[1].podCIDR: 10.244.2.0/23 overlaps node 'a'", 0), 0u);
    b["podCIDR"] = "10.9.0.0/24";
    EXPECT_EQ(nodes_error(json::array({b})).rfind("nodes[0].podCIDR: 10.9.0.0/24 is outside clusterCIDR", 0), 0u);
    EXPECT_EQ(nodes_error(json::object()), "nodes: must be an array of {name, nodeIP, podCIDR}");
    auto absent = parse_cluster_nodes(ConfigFields(json::object()), cluster);
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->has_value());
}

// The rule that used to differ: the node file accepted "br:0" and handed it
// to the plugin unchecked. Now every reader refuses it.
TEST(NodeConfig, RefusesBridgeNamesTheKernelRefuses) {
    auto cfg = parse_node_config(
        R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","bridge":"br:0","podCIDR":"10.244.1.0/24"})");
    ASSERT_FALSE(cfg);
    EXPECT_EQ(cfg.error().message.rfind("bridge: 'br:0' is not an interface name", 0), 0u) << cfg.error().message;
    cfg = parse_node_config(R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth 0","podCIDR":"10.244.1.0/24"})");
    ASSERT_FALSE(cfg);
    EXPECT_EQ(cfg.error().message.rfind("uplink:", 0), 0u) << cfg.error().message;
}

}  // namespace
}  // namespace podlane
