// Config, environment, versions and result JSON of the CNI plugin.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "commands.h"
#include "config.h"
#include "env.h"
#include "podlane/host_veth.h"
#include "result_json.h"
#include "version.h"

using namespace podlane;
using namespace podlane::cni;
using nlohmann::json;

namespace {

json base_config() {
    return json{{"cniVersion", "1.0.0"}, {"name", "net1"}, {"type", "podlane"}, {"podCIDR", "10.244.3.0/24"}};
}

CniError config_error(const json &doc) {
    auto cfg = parse_config(doc.dump());
    EXPECT_FALSE(cfg.ok()) << doc.dump();
    return cfg.ok() ? CniError{} : cfg.error();
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const char *name) -> const char * {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
}

}  // namespace

TEST(CniConfig, DefaultsFollowTheIssue) {
    auto cfg = parse_config(base_config().dump());
    ASSERT_TRUE(cfg.ok()) << cfg.error().msg;
    EXPECT_EQ(cfg->bridge, "podlane0");
    EXPECT_EQ(cfg->pod_cidr->str(), "10.244.3.0/24");
    EXPECT_EQ(cfg->gateway->str(), "10.244.3.1");
    EXPECT_FALSE(cfg->mtu.has_value());
    EXPECT_FALSE(cfg->pin_dir.has_value());
    EXPECT_EQ(cfg->store_dir(), "/var/lib/cni/podlane/net1");
}

TEST(CniConfig, ExplicitKeysAndUnknownKeysIgnored) {
    json doc = base_config();
    doc["bridge"] = "br-x";
    doc["gateway"] = "10.244.3.254";
    doc["mtu"] = 1400;
    doc["dataDir"] = "/tmp/x";
    doc["pinRoot"] = "/sys/fs/bpf/podlane/n1";
    doc["runtimeConfig"] = {{"portMappings", json::array()}};
    doc["somethingElse"] = 42;
    doc["dns"] = {{"nameservers", {"10.96.0.10"}}};
    auto cfg = parse_config(doc.dump());
    ASSERT_TRUE(cfg.ok()) << cfg.error().msg;
    EXPECT_EQ(cfg->bridge, "br-x");
    EXPECT_EQ(cfg->gateway->str(), "10.244.3.254");
    EXPECT_EQ(*cfg->mtu, 1400u);
    EXPECT_EQ(cfg->store_dir(), "/tmp/x/net1");
    EXPECT_EQ(*cfg->pin_dir, "/sys/fs/bpf/podlane/n1");
    EXPECT_EQ(cfg->dns["nameservers"][0], "10.96.0.10");
}

// The anti-spoofing opt-out, per pod, in the conventions' "args" object.
TEST(CniConfig, AllowAnySourceIsAPerPodArgOffByDefault) {
    auto plain = parse_config(base_config().dump());
    ASSERT_TRUE(plain.ok()) << plain.error().msg;
    EXPECT_FALSE(plain->allow_any_source);

    json doc = base_config();
    doc["args"] = {{"podlane", {{"allowAnySource", true}}}, {"cni", {{"ips", json::array()}}}};
    auto allowed = parse_config(doc.dump());
    ASSERT_TRUE(allowed.ok()) << allowed.error().msg;
    EXPECT_TRUE(allowed->allow_any_source);

    doc["args"]["podlane"]["allowAnySource"] = "yes";
    auto err = config_error(doc);
    EXPECT_EQ(err.code, kInvalidConfig);
    EXPECT_NE(err.msg.find("args.podlane.allowAnySource"), std::string::npos) << err.msg;
    doc["args"]["podlane"] = true;
    EXPECT_NE(config_error(doc).msg.find("args.podlane"), std::string::npos);

    doc["args"] = {{"cni", {{"ips", json::array()}}}};  // other plugins' args are not ours
    auto others = parse_config(doc.dump());
    ASSERT_TRUE(others.ok()) << others.error().msg;
    EXPECT_FALSE(others->allow_any_source);
}

TEST(CniConfig, InvalidValuesAreCode7NamingTheKey) {
    struct Case {
        const char *key;
        json value;
    } cases[] = {
        {"bridge", "a-name-that-is-far-too-long"},
        {"bridge", 5},
        {"podCIDR", "10.244.3.1/24"},
        {"podCIDR", "banana"},
        {"podCIDR", "10.0.0.0/31"},
        {"gateway", "10.9.9.9"},
        {"gateway", "10.244.3.0"},
        {"gateway", "10.244.3.255"},
        {"gateway", "x"},
        {"mtu", "1500"},
        {"mtu", 20},
        {"mtu", 1.5},
        {"dataDir", "relative/dir"},
        {"dataDir", ""},
        {"pinRoot", "pins"},
        {"nodeConfig", "/nonexistent/node.json"},
        {"name", "a/b"},
        {"dns", "8.8.8.8"},
        {"cni.dev/valid-attachments", "all"},
    };
    for (const auto &c : cases) {
        json doc = base_config();
        doc[c.key] = c.value;
        CniError err = config_error(doc);
        EXPECT_EQ(err.code, kInvalidConfig) << c.key << " = " << c.value.dump();
        EXPECT_NE(err.msg.find(c.key), std::string::npos) << err.msg;
    }
    json doc = base_config();
    doc.erase("podCIDR");
    EXPECT_NE(config_error(doc).msg.find("podCIDR"), std::string::npos);
    doc = base_config();
    doc.erase("name");
    EXPECT_EQ(config_error(doc).code, kInvalidConfig);
}

TEST(CniConfig, DecodeAndVersionErrors) {
    EXPECT_EQ(parse_config("{not json").error().code, kDecodeFailure);
    EXPECT_EQ(parse_config("[1,2]").error().code, kDecodeFailure);
    json doc = base_config();
    doc["cniVersion"] = "0.2.0";
    EXPECT_EQ(config_error(doc).code, kIncompatibleVersion);
    doc["cniVersion"] = "9.9.9";
    EXPECT_EQ(config_error(doc).code, kIncompatibleVersion);
}

TEST(CniConfig, NodeConfigIsTheSourceOfTruthUnlessOverridden) {
    std::string path = testing::TempDir() + "/node-" + std::to_string(getpid()) + ".json";
    std::ofstream(path) << R"({"nodeName":"n2","nodeIP":"192.168.1.12","uplink":"eth9","bridge":"plbr",
                               "podCIDR":"10.244.2.0/24","pinRoot":"/sys/fs/bpf/pl"})";
    json doc = base_config();
    doc.erase("podCIDR");
    doc["nodeConfig"] = path;
    auto cfg = parse_config(doc.dump());
    ASSERT_TRUE(cfg.ok()) << cfg.error().msg;
    EXPECT_EQ(cfg->pod_cidr->str(), "10.244.2.0/24");
    EXPECT_EQ(cfg->gateway->str(), "10.244.2.1");
    EXPECT_EQ(cfg->bridge, "plbr");
    EXPECT_EQ(cfg->uplink, "eth9");
    EXPECT_EQ(*cfg->pin_dir, "/sys/fs/bpf/pl/n2");

    doc["pinRoot"] = "/sys/fs/bpf/elsewhere";
    doc["bridge"] = "other";
    cfg = parse_config(doc.dump());
    ASSERT_TRUE(cfg.ok());
    EXPECT_EQ(*cfg->pin_dir, "/sys/fs/bpf/elsewhere");
    EXPECT_EQ(cfg->bridge, "other");

    std::ofstream(path) << "{broken";
    cfg = parse_config(doc.dump());
    ASSERT_FALSE(cfg.ok());
    EXPECT_EQ(cfg.error().code, kInvalidConfig);
    EXPECT_NE(cfg.error().msg.find("nodeConfig"), std::string::npos);
    std::filesystem::remove(path);
}

TEST(CniConfig, NodeConfigThatIsAFifoOrADeviceIsRefusedAtOnce) {
    std::string fifo = testing::TempDir() + "/node-fifo-" + std::to_string(getpid());
    std::filesystem::remove(fifo);
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    // A FIFO would block the read for a writer; /dev/zero would be read
    // until memory runs out. Both must be error 7 naming the key.
    for (const std::string &path : {fifo, std::string("/dev/zero")}) {
        json doc = base_config();
        doc["nodeConfig"] = path;
        auto err = config_error(doc);
        EXPECT_EQ(err.code, kInvalidConfig) << path;
        EXPECT_NE(err.msg.find("nodeConfig"), std::string::npos) << err.msg;
        EXPECT_NE(err.msg.find("not a regular file"), std::string::npos) << err.msg;
    }
    std::filesystem::remove(fifo);
}

TEST(CniConfig, NetworkNameMustBeACniNameThatStaysInTheStore) {
    for (const std::string &bad :
         {std::string("net1\0other", 10), std::string(".."), std::string("."), std::string("a/b"), std::string("/abs"),
          std::string(".hidden"), std::string("-x"), std::string("sp ace"), std::string(256, 'n')}) {
        json doc = base_config();
        doc["name"] = bad;
        auto err = config_error(doc);
        EXPECT_EQ(err.code, kInvalidConfig) << doc.dump();
        EXPECT_NE(err.msg.find("name"), std::string::npos) << err.msg;
    }
    json doc = base_config();
    doc["name"] = "k8s-pod_network.v2";
    EXPECT_TRUE(parse_config(doc.dump()).ok());
}

TEST(CniEnv, ContainerIdLengthIsCapped) {
    std::map<std::string, std::string> add{{"CNI_COMMAND", "ADD"},
                                           {"CNI_CONTAINERID", std::string(kMaxContainerIdLength, 'f')},
                                           {"CNI_NETNS", "/run/netns/x"},
                                           {"CNI_IFNAME", "eth0"}};
    EXPECT_TRUE(parse_env(env_of(add)).ok());
    for (const char *cmd : {"ADD", "DEL", "CHECK"}) {
        add["CNI_COMMAND"] = cmd;
        add["CNI_CONTAINERID"] = std::string(1100, 'f');
        auto env = parse_env(env_of(add));
        ASSERT_FALSE(env.ok()) << cmd;
        EXPECT_EQ(env.error().code, kInvalidEnvironment);
        EXPECT_NE(env.error().msg.find("CNI_CONTAINERID"), std::string::npos) << env.error().msg;
        EXPECT_LT(env.error().msg.size(), 200u) << "the message does not repeat the whole ID";
    }
}

TEST(CniEnv, ValidatesPerCommand) {
    EXPECT_EQ(parse_env(env_of({})).error().code, kInvalidEnvironment);
    EXPECT_EQ(parse_env(env_of({{"CNI_COMMAND", "FROB"}})).error().code, kInvalidEnvironment);
    EXPECT_TRUE(parse_env(env_of({{"CNI_COMMAND", "VERSION"}})).ok());
    EXPECT_TRUE(parse_env(env_of({{"CNI_COMMAND", "STATUS"}})).ok());
    std::map<std::string, std::string> add{
        {"CNI_COMMAND", "ADD"}, {"CNI_CONTAINERID", "abc-1"}, {"CNI_NETNS", "/run/netns/x"}, {"CNI_IFNAME", "eth0"}};
    EXPECT_TRUE(parse_env(env_of(add)).ok());
    for (auto [key, bad] : {std::pair{"CNI_CONTAINERID", ""},
                            {"CNI_CONTAINERID", "-x"},
                            {"CNI_CONTAINERID", "a/b"},
                            {"CNI_IFNAME", ""},
                            {"CNI_IFNAME", "sixteen-chars-xx"},
                            {"CNI_IFNAME", "a/b"},
                            {"CNI_NETNS", ""}}) {
        auto vars = add;
        vars[key] = bad;
        auto env = parse_env(env_of(vars));
        ASSERT_FALSE(env.ok()) << key << "=" << bad;
        EXPECT_EQ(env.error().code, kInvalidEnvironment);
        EXPECT_NE(env.error().msg.find(key), std::string::npos) << env.error().msg;
    }
    auto del = add;
    del["CNI_COMMAND"] = "DEL";
    del.erase("CNI_NETNS");
    EXPECT_TRUE(parse_env(env_of(del)).ok()) << "DEL must work without a namespace";
}

TEST(CniRun, VersionAndErrorJson) {
    std::string out;
    EXPECT_EQ(run_plugin(env_of({{"CNI_COMMAND", "VERSION"}}), R"({"cniVersion":"0.4.0"})", out), 0);
    json v = json::parse(out);
    EXPECT_EQ(v["cniVersion"], "0.4.0");
    EXPECT_EQ(v["supportedVersions"], json(supported_versions()));

    EXPECT_NE(run_plugin(env_of({}), "{}", out), 0);
    json e = json::parse(out);
    EXPECT_EQ(e["code"], kInvalidEnvironment);
    EXPECT_TRUE(e.contains("cniVersion") && e.contains("msg"));

    EXPECT_NE(run_plugin(env_of({{"CNI_COMMAND", "STATUS"}}), "garbage", out), 0);
    EXPECT_EQ(json::parse(out)["code"], kDecodeFailure);

    json gc = base_config();
    gc["cniVersion"] = "1.1.0";
    EXPECT_NE(run_plugin(env_of({{"CNI_COMMAND", "GC"}}), gc.dump(), out), 0);
    e = json::parse(out);
    EXPECT_EQ(e["code"], kInvalidConfig);
    EXPECT_EQ(e["cniVersion"], "1.1.0");
}

TEST(CniError, DetailsNameTheErrnoAndBusyMeansTryAgain) {
    CniError e = from_error(Error{"open /var/lib/cni/podlane: No such file or directory", ENOENT}, 7);
    EXPECT_EQ(e.code, 7);
    EXPECT_EQ(e.details, "ENOENT (2)");
    CniError busy = from_error(Error{"lock the store", EAGAIN}, 7);
    EXPECT_EQ(busy.code, 11);
    EXPECT_EQ(busy.details, "EAGAIN (11)");
    EXPECT_EQ(from_error(Error{"bad input", 0}, 7).details, "");
}

TEST(CniVersion, Compare) {
    EXPECT_LT(compare_versions("0.4.0", "1.0.0"), 0);
    EXPECT_EQ(compare_versions("1.1.0", "1.1.0"), 0);
    EXPECT_GT(compare_versions("0.10.0", "0.4.0"), 0);
    EXPECT_TRUE(version_supported("1.1.0"));
    EXPECT_FALSE(version_supported("0.2.0"));
}

TEST(CniResultJson, LayoutPerVersionAndPrevResult) {
    AddResult r;
    r.interfaces = {
        {"podlane0", Mac{}, ""}, {"pl0123", Mac{}, ""}, {"eth0", *Mac::parse("02:00:00:00:00:01"), "/run/netns/p"}};
    r.address = *Cidr::parse_interface("10.244.3.5/24");
    r.gateway = *Ipv4::parse("10.244.3.1");
    json v1 = to_json(r, "1.0.0", nullptr);
    EXPECT_EQ(v1["ips"][0]["address"], "10.244.3.5/24");
    EXPECT_EQ(v1["ips"][0]["interface"], 2);
    EXPECT_FALSE(v1["ips"][0].contains("version"));
    EXPECT_EQ(v1["interfaces"][2]["sandbox"], "/run/netns/p");
    EXPECT_EQ(v1["routes"][0]["dst"], "0.0.0.0/0");
    EXPECT_FALSE(v1.contains("dns"));
    json v04 = to_json(r, "0.4.0", nullptr);
    EXPECT_EQ(v04["ips"][0]["version"], "4");

    json prev = {{"cniVersion", "1.0.0"}, {"interfaces", {{{"name", "x"}}}}, {"ips", json::array()}};
    json chained = to_json(r, "1.0.0", prev);
    EXPECT_EQ(chained["interfaces"].size(), 4u);
    EXPECT_EQ(chained["ips"][0]["interface"], 3);

    auto expected = expected_from_prev_result(v1, "eth0");
    ASSERT_TRUE(expected.ok()) << expected.error().msg;
    EXPECT_EQ(expected->address->str(), "10.244.3.5/24");
    EXPECT_EQ(expected->gateway->str(), "10.244.3.1");
    EXPECT_EQ(expected->mac->str(), "02:00:00:00:00:01");
    EXPECT_FALSE(expected_from_prev_result(v1, "eth1").ok());
    EXPECT_FALSE(expected_from_prev_result(nullptr, "eth0").ok());
}

TEST(CniHostVeth, DeterministicShortAndDistinct) {
    std::string a = host_veth_name("0123456789abcdef0123456789abcdef", "eth0");
    EXPECT_LE(a.size(), 15u);
    EXPECT_EQ(a.substr(0, 2), "pl");
    EXPECT_EQ(a, host_veth_name("0123456789abcdef0123456789abcdef", "eth0"));
    EXPECT_NE(a, host_veth_name("0123456789abcdef0123456789abcdef", "eth1"));
    EXPECT_NE(a, host_veth_name("0123456789abcdef0123456789abcdee", "eth0"));
}

TEST(CniResultJson, WronglyTypedPrevResultIsCode7NeverAnException) {
    const json eth0 = {{"name", "eth0"}, {"sandbox", "/run/netns/p"}};
    const json ip0 = {{"address", "10.244.3.5/24"}, {"interface", 0}};
    const json bad[] = {
        {{"ips", 5}},
        {{"interfaces", 5}, {"ips", json::array()}},
        {{"interfaces", "eth0"}},
        {{"interfaces", {{{"name", 5}, {"sandbox", "/x"}}}}, {"ips", {ip0}}},
        {{"interfaces", {nullptr}}, {"ips", {ip0}}},
        {{"interfaces", {eth0}}, {"ips", {5}}},
        {{"interfaces", {eth0}}, {"ips", {{{"address", 5}, {"interface", 0}}}}},
        {{"interfaces", {eth0}}, {"ips", {{{"address", "10.244.3.5/24"}, {"interface", -1}}}}},
        {{"interfaces", {eth0}}, {"ips", {{{"address", "10.244.3.5/24"}, {"interface", 18446744073709551615u}}}}},
        {{"interfaces", {eth0}}, {"ips", {{{"address", "10.244.3.5/24"}, {"interface", 0}, {"gateway", "x"}}}}},
        {{"interfaces", {eth0}}, {"ips", {ip0}}, {"routes", 5}},
        {{"interfaces", {eth0}}, {"ips", {ip0}}, {"routes", {5}}},
        {{"interfaces", {eth0}}, {"ips", {ip0}}, {"routes", {{{"dst", 5}}}}},
        {{"interfaces", {eth0}}, {"ips", {ip0}}, {"routes", {{{"dst", "10.0.0.0/8"}, {"gw", "nope"}}}}},
    };
    for (const auto &prev : bad) {
        std::optional<CniError> err;
        EXPECT_NO_THROW({
            auto r = expected_from_prev_result(prev, "eth0");
            if (!r.ok()) err = r.error();
        }) << prev.dump();
        ASSERT_TRUE(err.has_value()) << prev.dump();
        EXPECT_EQ(err->code, kInvalidConfig) << prev.dump() << ": " << err->msg;
    }
}

TEST(CniRun, CheckWithAWronglyTypedPrevResultIsCode7) {
    const std::string dir = testing::TempDir() + "/cni-check-" + std::to_string(getpid());
    auto check = [&](const json &prev) {
        json doc = base_config();
        doc["dataDir"] = dir;
        doc["prevResult"] = prev;
        std::string out;
        int rc = -1;
        EXPECT_NO_THROW(rc = run_plugin(env_of({{"CNI_COMMAND", "CHECK"},
                                                {"CNI_CONTAINERID", "c1"},
                                                {"CNI_NETNS", "/nonexistent/netns"},
                                                {"CNI_IFNAME", "eth0"}}),
                                        doc.dump(), out))
            << prev.dump();
        EXPECT_NE(rc, 0);
        json reply = json::parse(out, nullptr, false);
        return reply.is_object() ? reply.value("code", -1) : -1;
    };
    EXPECT_EQ(check(json::array()), kInvalidConfig);
    EXPECT_EQ(check({{"ips", 5}}), kInvalidConfig);
    EXPECT_EQ(check({{"interfaces", {{{"name", 5}, {"sandbox", "/x"}}}},
                     {"ips", {{{"address", "10.244.3.5/24"}, {"interface", 0}}}}}),
              kInvalidConfig);
    std::filesystem::remove_all(dir);
}

TEST(CniRun, BytesThatAreNotUtf8InTheEnvironmentStillGiveTheErrorJson) {
    // The message quotes the value; the JSON writer must not throw on it
    // (which main would turn into 101).
    std::string out;
    int rc = -1;
    EXPECT_NO_THROW(rc = run_plugin(env_of({{"CNI_COMMAND", "ADD"},
                                            {"CNI_CONTAINERID", "abc\xff\xfe"},
                                            {"CNI_NETNS", "/run/netns/x"},
                                            {"CNI_IFNAME", "eth0"}}),
                                    base_config().dump(), out));
    EXPECT_NE(rc, 0);
    json reply = json::parse(out, nullptr, false);
    ASSERT_TRUE(reply.is_object()) << out;
    EXPECT_EQ(reply["code"], kInvalidEnvironment);
    EXPECT_NO_THROW(rc = run_plugin(env_of({{"CNI_COMMAND", "\xc3\x28"}}), "{}", out));
    EXPECT_EQ(json::parse(out, nullptr, false).value("code", -1), kInvalidEnvironment) << out;
}

TEST(CniConfig, DualStackRangeFromNodeConfigOrKey) {
    EXPECT_FALSE(parse_config(base_config().dump())->pod_cidr6) << "IPv4-only by default";
    std::string path = testing::TempDir() + "/node6-" + std::to_string(getpid()) + ".json";
    std::ofstream(path) << R"({"nodeName":"n2","nodeIP":"192.168.1.12","uplink":"eth9","podCIDR":"10.244.2.0/24",
        "nodeIPv6":"fd00:192:160:1::12","clusterCIDRv6":"fd00:10:244::/56","podCIDRv6":"fd00:10:244:2::/64"})";
    json doc = base_config();
    doc.erase("podCIDR");
    doc["nodeConfig"] = path;
    auto cfg = parse_config(doc.dump());
    ASSERT_TRUE(cfg.ok()) << cfg.error().msg;
    ASSERT_TRUE(cfg->pod_cidr6 && cfg->gateway6);
    EXPECT_EQ(cfg->pod_cidr6->str(), "fd00:10:244:2::/64");
    EXPECT_EQ(cfg->gateway6->str(), "fd00:10:244:2::1");
    std::filesystem::remove(path);

    json explicit_key = base_config();
    explicit_key["podCIDRv6"] = "fd00:7::/80";
    cfg = parse_config(explicit_key.dump());
    ASSERT_TRUE(cfg.ok()) << cfg.error().msg;
    EXPECT_EQ(cfg->gateway6->str(), "fd00:7::1");
    for (const char *bad : {"fd00:7::1/64", "fd00:7::/124", "10.0.0.0/8", "fd00::/8"}) {
        explicit_key["podCIDRv6"] = bad;
        auto err = config_error(explicit_key);
        EXPECT_EQ(err.code, kInvalidConfig) << bad;
        EXPECT_NE(err.msg.find("podCIDRv6"), std::string::npos) << err.msg;
    }
}

TEST(CniConfig, Ipv6OnlyRangeFromNodeConfigOrKey) {
    // An IPv6-only node file: the plugin gets no IPv4 range.
    std::string path = testing::TempDir() + "/node6only-" + std::to_string(getpid()) + ".json";
    std::ofstream(path) << R"({"nodeName":"n2","uplink":"eth9","nodeIPv6":"fd00:192:160:1::12",
        "clusterCIDRv6":"fd00:10:244::/56","podCIDRv6":"fd00:10:244:2::/64"})";
    json doc = base_config();
    doc.erase("podCIDR");
    doc["nodeConfig"] = path;
    auto cfg = parse_config(doc.dump());
    ASSERT_TRUE(cfg.ok()) << cfg.error().msg;
    EXPECT_FALSE(cfg->pod_cidr || cfg->gateway);
    ASSERT_TRUE(cfg->pod_cidr6 && cfg->gateway6);
    EXPECT_EQ(cfg->gateway6->str(), "fd00:10:244:2::1");
    std::filesystem::remove(path);

    // Keys alone: podCIDRv6 without podCIDR; a gateway then has no range.
    json keys = base_config();
    keys.erase("podCIDR");
    keys["podCIDRv6"] = "fd00:7::/64";
    cfg = parse_config(keys.dump());
    ASSERT_TRUE(cfg.ok()) << cfg.error().msg;
    EXPECT_FALSE(cfg->pod_cidr);
    keys["gateway"] = "10.0.0.1";
    EXPECT_NE(config_error(keys).msg.find("gateway: given without podCIDR"), std::string::npos);
    keys.erase("gateway");
    keys.erase("podCIDRv6");
    EXPECT_NE(config_error(keys).msg.find("podCIDR: missing"), std::string::npos) << "a range of some family";
}

TEST(CniResultJson, Ipv6OnlyListsOneAddressAndOneDefaultRoute) {
    AddResult r;
    r.interfaces = {
        {"podlane0", Mac{}, ""}, {"pl0123", Mac{}, ""}, {"eth0", *Mac::parse("02:00:00:00:00:01"), "/run/netns/p"}};
    r.address6 = ResultAddress6{*Ipv6::parse("fd00:10:244:3::5"), 64, *Ipv6::parse("fd00:10:244:3::1")};
    json v1 = to_json(r, "1.1.0", nullptr);
    ASSERT_EQ(v1["ips"].size(), 1u);
    EXPECT_EQ(v1["ips"][0]["address"], "fd00:10:244:3::5/64");
    EXPECT_EQ(v1["ips"][0]["interface"], 2);
    ASSERT_EQ(v1["routes"].size(), 1u);
    EXPECT_EQ(v1["routes"][0], (json{{"dst", "::/0"}, {"gw", "fd00:10:244:3::1"}}));

    auto expected = expected_from_prev_result(v1, "eth0");
    ASSERT_TRUE(expected.ok()) << expected.error().msg;
    EXPECT_FALSE(expected->address);
    EXPECT_EQ(expected->address6->str(), "fd00:10:244:3::5");
    EXPECT_EQ(expected->mac->str(), "02:00:00:00:00:01");
    v1["ips"] = json::array();
    EXPECT_NE(expected_from_prev_result(v1, "eth0").error().msg.find("has no address"), std::string::npos);
}

TEST(CniResultJson, DualStackListsBothAddressesAndDefaultRoutes) {
    AddResult r;
    r.interfaces = {
        {"podlane0", Mac{}, ""}, {"pl0123", Mac{}, ""}, {"eth0", *Mac::parse("02:00:00:00:00:01"), "/run/netns/p"}};
    r.address = *Cidr::parse_interface("10.244.3.5/24");
    r.gateway = *Ipv4::parse("10.244.3.1");
    r.address6 = ResultAddress6{*Ipv6::parse("fd00:10:244:3::5"), 64, *Ipv6::parse("fd00:10:244:3::1")};
    json v1 = to_json(r, "1.1.0", nullptr);
    ASSERT_EQ(v1["ips"].size(), 2u);
    EXPECT_EQ(v1["ips"][1]["address"], "fd00:10:244:3::5/64");
    EXPECT_EQ(v1["ips"][1]["gateway"], "fd00:10:244:3::1");
    EXPECT_EQ(v1["ips"][1]["interface"], 2);
    EXPECT_EQ(v1["routes"][1], (json{{"dst", "::/0"}, {"gw", "fd00:10:244:3::1"}}));
    EXPECT_EQ(to_json(r, "0.4.0", nullptr)["ips"][1]["version"], "6");

    auto expected = expected_from_prev_result(v1, "eth0");
    ASSERT_TRUE(expected.ok()) << expected.error().msg;
    EXPECT_EQ(expected->address->str(), "10.244.3.5/24");
    EXPECT_EQ(expected->address6->str(), "fd00:10:244:3::5");
    EXPECT_EQ(expected->gateway6->str(), "fd00:10:244:3::1");
    // The IPv6 entry first: the order of ips does not matter.
    std::swap(v1["ips"][0], v1["ips"][1]);
    expected = expected_from_prev_result(v1, "eth0");
    ASSERT_TRUE(expected.ok()) << expected.error().msg;
    EXPECT_EQ(expected->address->str(), "10.244.3.5/24");
    EXPECT_EQ(expected->address6->str(), "fd00:10:244:3::5");
}
