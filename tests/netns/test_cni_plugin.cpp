// The `podlane` binary driven exactly as a runtime drives it: CNI_* variables,
// the config on stdin, the result on stdout, run inside a "node" namespace
// the test creates. Nothing touches the machine's own namespace.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>

#include "harness.h"
#include "podlane/attach.h"
#include "podlane/host_veth.h"
#include "podlane/maps.h"
#include "podlane/netlink.h"
#include "podlane/netns.h"
#include "privileges.h"

using namespace podlane;
using namespace podlane::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char *kNetwork = "pltest";

class CniPluginTest : public testing::Test {
protected:
    void SetUp() override {
        if (!privileged_skip_reason().empty()) GTEST_SKIP() << privileged_skip_reason();
        std::string test = testing::UnitTest::GetInstance()->current_test_info()->name();
        prefix_ = "pltest-cni-" + std::to_string(getpid()) + "-" + std::to_string(counter_++);
        node_ = std::make_unique<NamedNetns>(prefix_ + "-node");
        ASSERT_TRUE(node_->ok()) << "ip netns add failed";
        char tmpl[] = "/tmp/pltest-cni-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        data_dir_ = tmpl;
        ASSERT_EQ(ensure_bpffs(), "");
        pin_dir_ = make_test_pin_dir("cni-" + test);
        ASSERT_EQ(create_node_maps(pin_dir_, config_flags()), "");
    }
    void TearDown() override {
        pods_.clear();
        node_.reset();
        if (!data_dir_.empty()) fs::remove_all(data_dir_);
        if (!pin_dir_.empty()) remove_pin_dir(pin_dir_);
    }
    virtual unsigned config_flags() const { return 0; }

    json config(const std::string &cidr = "10.244.9.0/24") const {
        return json{{"cniVersion", "1.1.0"}, {"name", kNetwork},     {"type", "podlane"},
                    {"podCIDR", cidr},       {"dataDir", data_dir_}, {"pinRoot", pin_dir_}};
    }
    NamedNetns &pod(const std::string &suffix) {
        pods_.push_back(std::make_unique<NamedNetns>(prefix_ + "-" + suffix));
        EXPECT_TRUE(pods_.back()->ok());
        return *pods_.back();
    }
    EnvVars env(const std::string &cmd, const std::string &id, const std::string &netns,
                const std::string &ifname = "eth0") const {
        EnvVars e{{"CNI_COMMAND", cmd}, {"CNI_CONTAINERID", id}, {"CNI_IFNAME", ifname}, {"CNI_PATH", "/opt/cni/bin"}};
        if (!netns.empty()) e["CNI_NETNS"] = netns;
        return e;
    }
    PluginRun run(const EnvVars &e, const json &cfg) const {
        return run_plugin(PODLANE_CNI_BIN, node_->path(), e, cfg.dump());
    }
    PluginRun run(const EnvVars &e, const std::string &stdin_text) const {
        return run_plugin(PODLANE_CNI_BIN, node_->path(), e, stdin_text);
    }
    // The plugin must answer within the limit: one that hangs (on a FIFO, a
    // lock) is killed and reported with exit code -1.
    PluginRun run_within(const EnvVars &e, const json &cfg, std::chrono::seconds limit) const {
        int fd = -1;
        pid_t pid = start_plugin(PODLANE_CNI_BIN, node_->path(), e, cfg.dump(), &fd);
        if (pid < 0) return {};
        auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            siginfo_t info{};
            // WNOWAIT: finish_plugin reaps it and reads its exit code.
            if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) break;
            if (std::chrono::steady_clock::now() >= deadline) {
                kill(pid, SIGKILL);
                PluginRun hung = finish_plugin(pid, fd);
                hung.exit_code = -1;
                return hung;
            }
            usleep(20000);
        }
        return finish_plugin(pid, fd);
    }
    PluginRun add(const std::string &id, const NamedNetns &p, const json &cfg) const {
        return run(env("ADD", id, p.path()), cfg);
    }
    PluginRun add(const std::string &id, const NamedNetns &p) const { return add(id, p, config()); }
    PluginRun del(const std::string &id, const std::string &netns) const {
        return run(env("DEL", id, netns), config());
    }

    static std::string pod_ip(const PluginRun &r) {
        json j = r.json();
        std::string cidr = j["ips"][0]["address"];
        return cidr.substr(0, cidr.find('/'));
    }
    // Links in the node other than lo and the bridge.
    std::vector<std::string> node_links() const {
        std::vector<std::string> out;
        std::string text = shell("ip -n " + node_->name() + " -o link show");
        size_t pos = 0;
        while ((pos = text.find(": ", pos)) != std::string::npos) {
            size_t end = text.find_first_of(":@", pos + 2);
            std::string name = text.substr(pos + 2, end - pos - 2);
            if (name != "lo" && name != "podlane0") out.push_back(name);
            pos = text.find('\n', pos);
            if (pos == std::string::npos) break;
        }
        return out;
    }
    // Files of the network's store other than the lock and the hint.
    std::vector<std::string> store_files() const {
        std::vector<std::string> out;
        std::error_code ec;
        for (const auto &e : fs::directory_iterator(data_dir_ + "/" + kNetwork, ec)) {
            std::string n = e.path().filename();
            if (n != "lock" && n != "last") out.push_back(n);
        }
        return out;
    }
    size_t endpoint_count() const {
        auto maps = NodeMaps::open(pin_dir_);
        EXPECT_TRUE(maps.ok());
        return maps.ok() ? maps->endpoints()->size() : 0;
    }
    void expect_nothing_left(const std::string &when) const {
        EXPECT_TRUE(node_links().empty()) << when << ": links left: " << shell("ip -n " + node_->name() + " -o link");
        EXPECT_TRUE(store_files().empty()) << when << ": " << store_files().size() << " store files left";
        EXPECT_EQ(endpoint_count(), 0u) << when;
    }
    int node_ifindex(const std::string &name) const {
        auto guard = NetnsGuard::enter(node_->path());
        auto nl = Netlink::open();
        auto link = nl->find_link(name);
        return link.ok() && *link ? (*link)->index : 0;
    }

    static inline int counter_ = 0;
    std::string prefix_, data_dir_, pin_dir_;
    std::unique_ptr<NamedNetns> node_;
    std::vector<std::unique_ptr<NamedNetns>> pods_;
};

// Enters netns in a child process and runs fn there; returns its exit code.
template <typename Fn>
pid_t fork_in(const std::string &netns, Fn fn) {
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        int fd = open(netns.c_str(), O_RDONLY);
        if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) _exit(100);
        _exit(fn());
    }
    return pid;
}

int wait_exit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// An IPv4 or IPv6 address and port, for bind and connect.
sockaddr_storage socket_address(const std::string &ip, uint16_t port) {
    sockaddr_storage out{};
    if (ip.find(':') != std::string::npos) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&out);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&out);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
    }
    return out;
}

// A TCP request/response from client_ns to server_ip:port in server_ns.
bool tcp_works(const std::string &client_ns, const std::string &server_ns, const std::string &server_ip) {
    int ready[2];
    if (pipe(ready) != 0) return false;
    pid_t server = fork_in(server_ns, [&] {
        close(ready[0]);
        sockaddr_storage a = socket_address(server_ip, 7777);
        int s = socket(a.ss_family, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || listen(s, 1) != 0) return 1;
        if (write(ready[1], "r", 1) != 1) return 2;
        int c = accept(s, nullptr, nullptr);
        char buf[8] = {};
        if (c < 0 || read(c, buf, 4) != 4 || std::string(buf) != "ping") return 3;
        return write(c, "pong", 4) == 4 ? 0 : 4;
    });
    close(ready[1]);
    char r;
    bool listening = read(ready[0], &r, 1) == 1;
    close(ready[0]);
    pid_t client = fork_in(client_ns, [&] {
        sockaddr_storage a = socket_address(server_ip, 7777);
        int s = socket(a.ss_family, SOCK_STREAM, 0);
        if (connect(s, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) return 1;
        char buf[8] = {};
        if (write(s, "ping", 4) != 4 || read(s, buf, 4) != 4) return 2;
        return std::string(buf) == "pong" ? 0 : 3;
    });
    int client_rc = wait_exit(client);
    if (client_rc != 0) kill(server, SIGKILL);
    int server_rc = wait_exit(server);
    return listening && client_rc == 0 && server_rc == 0;
}

}  // namespace

TEST_F(CniPluginTest, TwoPodsReachEachOtherOverTcpThenCheckAndDel) {
    PODLANE_REQUIRE_ROOT();
    auto &p1 = pod("p1");
    auto &p2 = pod("p2");
    auto r1 = add("c1", p1), r2 = add("c2", p2);
    ASSERT_EQ(r1.exit_code, 0) << r1.out;
    ASSERT_EQ(r2.exit_code, 0) << r2.out;
    json j1 = r1.json();
    EXPECT_EQ(j1["cniVersion"], "1.1.0");
    EXPECT_EQ(j1["interfaces"][j1["ips"][0]["interface"].get<int>()]["sandbox"], p1.path());
    EXPECT_EQ(j1["ips"][0]["gateway"], "10.244.9.1");
    EXPECT_EQ(j1["routes"][0]["dst"], "0.0.0.0/0");
    std::string ip1 = pod_ip(r1), ip2 = pod_ip(r2);
    EXPECT_NE(ip1, ip2);

    // Really configured, as the result says.
    EXPECT_NE(shell("ip -n " + p1.name() + " -4 -o addr show dev eth0").find(ip1 + "/24"), std::string::npos);
    EXPECT_NE(shell("ip -n " + p1.name() + " route show default").find("via 10.244.9.1 dev eth0"), std::string::npos);
    EXPECT_NE(shell("ip -n " + node_->name() + " -4 -o addr show dev podlane0").find("10.244.9.1/24"),
              std::string::npos);
    EXPECT_NE(shell("ip -n " + node_->name() + " -o link show dev podlane0").find("link/ether 0a:58:0a:f4:09:01"),
              std::string::npos)
        << "bridge MAC pinned to 0a:58 + gateway IP, as podlaned pins it";
    std::string veth1 = host_veth_name("c1", "eth0");
    EXPECT_NE(shell("ip -n " + node_->name() + " -o link show " + veth1).find("master podlane0"), std::string::npos);

    // Registered in the dataplane: pod IP -> host veth and MACs.
    auto maps = NodeMaps::open(pin_dir_);
    ASSERT_TRUE(maps.ok()) << maps.error().message;
    auto ep = maps->endpoint(*Ipv4::parse(ip1));
    ASSERT_TRUE(ep.ok() && ep->has_value());
    EXPECT_EQ(static_cast<int>((*ep)->host_ifindex), node_ifindex(veth1));
    Mac pod_mac = *Mac::parse(j1["interfaces"][2]["mac"].get<std::string>());
    EXPECT_EQ(std::memcmp((*ep)->pod_mac, pod_mac.bytes.data(), 6), 0);

    EXPECT_TRUE(tcp_works(p1.path(), p2.path(), ip2)) << "pod 1 -> pod 2 over TCP";
    EXPECT_TRUE(tcp_works(p2.path(), p1.path(), ip1)) << "pod 2 -> pod 1 over TCP";

    // CHECK against the ADD result passes, and fails once the address is gone.
    json check_cfg = config();
    check_cfg["prevResult"] = j1;
    auto ok = run(env("CHECK", "c1", p1.path()), check_cfg);
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    // A route that an earlier plugin reported but the pod lacks.
    json extra_route_cfg = check_cfg;
    extra_route_cfg["prevResult"]["routes"].push_back({{"dst", "10.96.0.0/12"}, {"gw", "10.244.9.1"}});
    auto no_route = run(env("CHECK", "c1", p1.path()), extra_route_cfg);
    EXPECT_EQ(no_route.exit_code, 1) << no_route.out;
    EXPECT_NE(no_route.out.find("no route to 10.96.0.0/12"), std::string::npos) << no_route.out;
    ASSERT_EQ(std::system(("ip -n " + p1.name() + " addr del " + ip1 + "/24 dev eth0").c_str()), 0);
    auto bad = run(env("CHECK", "c1", p1.path()), check_cfg);
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_EQ(bad.json()["code"], 104);
    EXPECT_NE(bad.json()["msg"].get<std::string>().find("lacks address " + ip1), std::string::npos) << bad.out;

    // DEL, twice; then DEL of pod 2 after its namespace is gone.
    for (int i = 0; i < 2; i++) {
        auto d = del("c1", p1.path());
        EXPECT_EQ(d.exit_code, 0) << "DEL #" << i + 1 << ": " << d.out;
        EXPECT_TRUE(d.out.empty());
    }
    EXPECT_EQ(node_ifindex(veth1), 0) << "host veth removed";
    EXPECT_FALSE(maps->endpoint(*Ipv4::parse(ip1))->has_value()) << "endpoint removed";
    pods_.pop_back();  // deletes p2's namespace
    EXPECT_EQ(del("c2", prefix_ + "-gone").exit_code, 0);
    EXPECT_EQ(run(env("DEL", "never-added", ""), config()).exit_code, 0) << "unknown container";
    EXPECT_NE(shell("ip -n " + node_->name() + " -o link show dev podlane0").find("link/ether 0a:58:0a:f4:09:01"),
              std::string::npos)
        << "the gateway MAC survives its ports";
    expect_nothing_left("after DEL");
}

// Dual-stack: one address of each family, both gateways and default routes,
// the IPv6 address usable at once (no DAD), both endpoints; CHECK, DEL, GC
// and a failed ADD cover the IPv6 half too.
TEST_F(CniPluginTest, DualStackPodsGetBothFamiliesAndTalkOverIpv6) {
    PODLANE_REQUIRE_ROOT();
    json cfg = config();
    cfg["podCIDRv6"] = "fd00:10:244:9::/64";
    auto &p1 = pod("d1");
    auto &p2 = pod("d2");
    auto r1 = add("d1", p1, cfg), r2 = add("d2", p2, cfg);
    ASSERT_EQ(r1.exit_code, 0) << r1.out;
    ASSERT_EQ(r2.exit_code, 0) << r2.out;
    json j1 = r1.json();
    ASSERT_EQ(j1["ips"].size(), 2u) << j1.dump();
    EXPECT_EQ(j1["ips"][1]["gateway"], "fd00:10:244:9::1");
    EXPECT_EQ(j1["ips"][1]["interface"], j1["ips"][0]["interface"]);
    EXPECT_EQ(j1["routes"][1]["dst"], "::/0");
    EXPECT_EQ(j1["routes"][1]["gw"], "fd00:10:244:9::1");
    auto ip6_of = [](const json &j) {
        std::string cidr = j["ips"][1]["address"];
        EXPECT_EQ(cidr.substr(cidr.find('/')), "/64");
        return cidr.substr(0, cidr.find('/'));
    };
    const std::string a1 = ip6_of(j1), a2 = ip6_of(r2.json());
    EXPECT_EQ(a1.rfind("fd00:10:244:9::", 0), 0u) << a1;
    EXPECT_NE(a1, a2);

    // Configured, not tentative (DAD off), and routed via the bridge.
    std::string addrs = shell("ip -n " + p1.name() + " -6 -o addr show dev eth0");
    EXPECT_NE(addrs.find(a1 + "/64"), std::string::npos) << addrs;
    EXPECT_EQ(addrs.find("tentative"), std::string::npos) << addrs;
    EXPECT_NE(shell("ip -n " + p1.name() + " -6 route show default").find("via fd00:10:244:9::1 dev eth0"),
              std::string::npos);
    EXPECT_NE(shell("ip -n " + node_->name() + " -6 -o addr show dev podlane0").find("fd00:10:244:9::1/64"),
              std::string::npos);
    auto maps = NodeMaps::open(pin_dir_);
    ASSERT_TRUE(maps.ok()) << maps.error().message;
    auto ep6 = maps->endpoint6(*Ipv6::parse(a1));
    ASSERT_TRUE(ep6.ok() && ep6->has_value());
    EXPECT_EQ(static_cast<int>((*ep6)->host_ifindex), node_ifindex(host_veth_name("d1", "eth0")));
    EXPECT_TRUE(tcp_works(p1.path(), p2.path(), a2)) << "pod 1 -> pod 2 over IPv6 TCP";

    // CHECK passes, then names the missing IPv6 address.
    json check_cfg = cfg;
    check_cfg["prevResult"] = j1;
    auto ok = run(env("CHECK", "d1", p1.path()), check_cfg);
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    ASSERT_EQ(std::system(("ip -n " + p1.name() + " -6 addr del " + a1 + "/64 dev eth0").c_str()), 0);
    auto bad = run(env("CHECK", "d1", p1.path()), check_cfg);
    EXPECT_EQ(bad.json()["code"], 104) << bad.out;
    EXPECT_NE(bad.out.find("lacks address " + a1), std::string::npos) << bad.out;

    // DEL removes both endpoints and both reservations; GC the other pod.
    EXPECT_EQ(run(env("DEL", "d1", p1.path()), cfg).exit_code, 0);
    EXPECT_FALSE(maps->endpoint6(*Ipv6::parse(a1))->has_value());
    json gc = cfg;
    gc["cni.dev/valid-attachments"] = json::array();
    EXPECT_EQ(run(env("GC", "", ""), gc).exit_code, 0);
    EXPECT_TRUE(maps->endpoints6()->empty());
    auto store6_left = [&] {
        std::vector<std::string> out;
        for (const auto &e : fs::directory_iterator(data_dir_ + "/" + kNetwork + "@ipv6")) {
            std::string n = e.path().filename();
            if (n != "lock" && n != "last") out.push_back(n);
        }
        return out;
    };
    EXPECT_TRUE(store6_left().empty()) << "IPv6 store emptied";
    expect_nothing_left("after dual-stack DEL and GC");

    // A failed ADD rolls the IPv6 half back too.
    auto &taken = pod("d-taken");
    ASSERT_EQ(std::system(("ip -n " + taken.name() + " link add eth0 type veth peer name keepme").c_str()), 0);
    EXPECT_EQ(add("d-half", taken, cfg).json()["code"], 101);
    EXPECT_TRUE(maps->endpoints6()->empty());
    EXPECT_TRUE(store6_left().empty()) << "IPv6 reservation rolled back";
}

// IPv6-only (podCIDRv6 without podCIDR): the pod gets one IPv6 address and
// nothing of IPv4, the bridge an IPv6 gateway and a MAC of its own; CHECK,
// DEL (also of the anti-spoofing exemption, found through the IPv6 endpoint)
// and GC work without an IPv4 store.
TEST_F(CniPluginTest, Ipv6OnlyPodsGetNoIpv4AndTalkOverIpv6) {
    PODLANE_REQUIRE_ROOT();
    json cfg = config();
    cfg.erase("podCIDR");
    cfg["podCIDRv6"] = "fd00:10:244:9::/64";
    auto &p1 = pod("s1");
    auto &p2 = pod("s2");
    json cfg1 = cfg;
    cfg1["args"] = {{"podlane", {{"allowAnySource", true}}}};
    auto r1 = add("s1", p1, cfg1), r2 = add("s2", p2, cfg);
    ASSERT_EQ(r1.exit_code, 0) << r1.out;
    ASSERT_EQ(r2.exit_code, 0) << r2.out;
    json j1 = r1.json();
    ASSERT_EQ(j1["ips"].size(), 1u) << j1.dump();
    ASSERT_EQ(j1["routes"].size(), 1u) << j1.dump();
    EXPECT_EQ(j1["routes"][0]["dst"], "::/0");
    auto ip6_of = [](const json &j) {
        std::string cidr = j["ips"][0]["address"];
        return cidr.substr(0, cidr.find('/'));
    };
    const std::string a1 = ip6_of(j1), a2 = ip6_of(r2.json());
    EXPECT_EQ(a1.rfind("fd00:10:244:9::", 0), 0u) << a1;

    EXPECT_EQ(shell("ip -n " + p1.name() + " -4 -o addr show dev eth0"), "") << "no IPv4 address in the pod";
    EXPECT_EQ(shell("ip -n " + p1.name() + " -4 route show"), "") << "no IPv4 route in the pod";
    EXPECT_EQ(shell("ip -n " + node_->name() + " -4 -o addr show dev podlane0"), "") << "no IPv4 gateway";
    EXPECT_NE(shell("ip -n " + node_->name() + " -6 -o addr show dev podlane0").find("fd00:10:244:9::1/64"),
              std::string::npos);
    EXPECT_NE(shell("ip -n " + node_->name() + " -o link show dev podlane0").find("0a:58:"), std::string::npos)
        << "the bridge's MAC is pinned from its IPv6 gateway";
    EXPECT_TRUE(tcp_works(p1.path(), p2.path(), a2)) << "pod 1 -> pod 2 over IPv6 TCP";

    auto maps = NodeMaps::open(pin_dir_);
    ASSERT_TRUE(maps.ok()) << maps.error().message;
    EXPECT_TRUE(maps->endpoints()->empty()) << "no IPv4 endpoint";
    EXPECT_EQ(maps->endpoints6()->size(), 2u);
    EXPECT_EQ(maps->source_exemptions()->size(), 2u);

    json check_cfg = cfg1;
    check_cfg["prevResult"] = j1;
    auto ok = run(env("CHECK", "s1", p1.path()), check_cfg);
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    EXPECT_EQ(run(env("STATUS", "", ""), cfg).exit_code, 0);

    EXPECT_EQ(run(env("DEL", "s1", p1.path()), cfg1).exit_code, 0);
    EXPECT_FALSE(maps->endpoint6(*Ipv6::parse(a1))->has_value());
    EXPECT_TRUE(maps->source_exemptions()->empty()) << "DEL found the exemption through the IPv6 endpoint";
    json gc = cfg;
    gc["cni.dev/valid-attachments"] = json::array();
    EXPECT_EQ(run(env("GC", "", ""), gc).exit_code, 0);
    EXPECT_TRUE(maps->endpoints6()->empty());
    EXPECT_FALSE(fs::exists(data_dir_ + "/" + kNetwork + "/lock")) << "no IPv4 store was made";
    expect_nothing_left("after IPv6-only DEL and GC");
}

TEST_F(CniPluginTest, HundredAddDelCyclesLeaveNothing) {
    PODLANE_REQUIRE_ROOT();
    auto &p = pod("cycle");
    std::set<std::string> seen;
    for (int i = 0; i < 100; i++) {
        std::string id = "cycle" + std::to_string(i);
        auto a = add(id, p);
        ASSERT_EQ(a.exit_code, 0) << "cycle " << i << ": " << a.out;
        seen.insert(pod_ip(a));
        ASSERT_EQ(endpoint_count(), 1u);
        auto d = del(id, p.path());
        ASSERT_EQ(d.exit_code, 0) << "cycle " << i << ": " << d.out;
    }
    EXPECT_GT(seen.size(), 50u) << "round robin spreads reuse";
    expect_nothing_left("after 100 cycles");
    EXPECT_TRUE(shell("ip -n " + p.name() + " -o link show eth0 2>/dev/null").empty());
}

TEST_F(CniPluginTest, TwentyParallelAddsGetUniqueAddresses) {
    PODLANE_REQUIRE_ROOT();
    constexpr int kPods = 20;
    std::vector<NamedNetns *> ns;
    for (int i = 0; i < kPods; i++) ns.push_back(&pod("par" + std::to_string(i)));
    // A fresh node: all 20 race to create the bridge too.
    std::vector<std::pair<pid_t, int>> running;
    for (int i = 0; i < kPods; i++) {
        int fd = -1;
        pid_t pid = start_plugin(PODLANE_CNI_BIN, node_->path(), env("ADD", "par" + std::to_string(i), ns[i]->path()),
                                 config().dump(), &fd);
        ASSERT_GT(pid, 0);
        running.emplace_back(pid, fd);
    }
    std::set<std::string> ips;
    for (auto [pid, fd] : running) {
        auto r = finish_plugin(pid, fd);
        EXPECT_EQ(r.exit_code, 0) << r.out;
        if (r.exit_code == 0) ips.insert(pod_ip(r));
    }
    EXPECT_EQ(ips.size(), size_t{kPods});
    EXPECT_EQ(endpoint_count(), size_t{kPods});
    EXPECT_EQ(node_links().size(), size_t{kPods});
    for (int i = 0; i < kPods; i++) EXPECT_EQ(del("par" + std::to_string(i), ns[i]->path()).exit_code, 0);
    expect_nothing_left("after parallel ADD + DEL");
}

TEST_F(CniPluginTest, MalformedInputsGiveTheRightCodeAndLeaveNothing) {
    PODLANE_REQUIRE_ROOT();
    auto &p = pod("bad");
    EnvVars good = env("ADD", "badc", p.path());
    auto without = [&](const char *key) {
        EnvVars e = good;
        e.erase(key);
        return e;
    };
    auto with = [&](const char *key, const std::string &v) {
        EnvVars e = good;
        e[key] = v;
        return e;
    };
    auto cfg_with = [&](const char *key, json v) {
        json c = config();
        c[key] = v;
        return c.dump();
    };
    struct Case {
        const char *what;
        EnvVars env;
        std::string stdin_text;
        int code;
    } cases[] = {
        {"no CNI_COMMAND", without("CNI_COMMAND"), config().dump(), 4},
        {"unknown CNI_COMMAND", with("CNI_COMMAND", "ATTACH"), config().dump(), 4},
        {"no CNI_CONTAINERID", without("CNI_CONTAINERID"), config().dump(), 4},
        {"bad CNI_CONTAINERID", with("CNI_CONTAINERID", "../etc"), config().dump(), 4},
        {"no CNI_NETNS", without("CNI_NETNS"), config().dump(), 4},
        {"missing netns", with("CNI_NETNS", "/run/netns/" + prefix_ + "-nope"), config().dump(), 4},
        {"no CNI_IFNAME", without("CNI_IFNAME"), config().dump(), 4},
        {"bad CNI_IFNAME", with("CNI_IFNAME", "eth0/x"), config().dump(), 4},
        {"empty stdin", good, "", 6},
        {"not JSON", good, "{\"cniVersion\": ", 6},
        {"JSON array", good, "[]", 6},
        {"old cniVersion", good, cfg_with("cniVersion", "0.1.0"), 1},
        {"bad podCIDR", good, cfg_with("podCIDR", "10.244.9.1/24"), 7},
        {"bad gateway", good, cfg_with("gateway", "192.168.0.1"), 7},
        {"bad mtu", good, cfg_with("mtu", -5), 7},
        {"bad bridge", good, cfg_with("bridge", "this-is-too-long-for-linux"), 7},
        {"bad dataDir", good, cfg_with("dataDir", 3), 7},
        {"bad nodeConfig", good, cfg_with("nodeConfig", "/nonexistent/node.json"), 7},
    };
    for (const auto &c : cases) {
        auto r = run(c.env, c.stdin_text);
        EXPECT_NE(r.exit_code, 0) << c.what;
        json j = r.json();
        ASSERT_TRUE(j.is_object()) << c.what << ": stdout is not the error JSON: " << r.out;
        EXPECT_EQ(j["code"], c.code) << c.what << ": " << r.out;
        EXPECT_TRUE(j.contains("cniVersion") && j["msg"].is_string() && !j["msg"].get<std::string>().empty()) << c.what;
        EXPECT_TRUE(node_links().empty()) << c.what;
        EXPECT_TRUE(store_files().empty()) << c.what;
        EXPECT_TRUE(shell("ip -n " + p.name() + " -o link show eth0 2>/dev/null").empty()) << c.what;
    }
    expect_nothing_left("after malformed inputs");
}

TEST_F(CniPluginTest, ExhaustedRangeIsCode102AndRollsBack) {
    PODLANE_REQUIRE_ROOT();
    json cfg = config("10.244.9.0/30");  // .1 gateway, .2 the only pod address
    auto &a = pod("full-a");
    auto &b = pod("full-b");
    auto first = add("fa", a, cfg);
    ASSERT_EQ(first.exit_code, 0) << first.out;
    auto second = add("fb", b, cfg);
    EXPECT_NE(second.exit_code, 0);
    EXPECT_EQ(second.json()["code"], 102) << second.out;
    EXPECT_NE(second.json()["msg"].get<std::string>().find("exhausted"), std::string::npos);
    EXPECT_EQ(node_links().size(), 1u) << "no veth for the failed ADD";
    EXPECT_TRUE(shell("ip -n " + b.name() + " -o link show eth0 2>/dev/null").empty());
    EXPECT_EQ(endpoint_count(), 1u);
    auto status = run(env("STATUS", "", ""), cfg);
    EXPECT_EQ(status.json()["code"], 50) << status.out;
    EXPECT_EQ(run(env("DEL", "fa", a.path()), cfg).exit_code, 0);
    EXPECT_EQ(run(env("STATUS", "", ""), cfg).exit_code, 0);
    expect_nothing_left("after exhausted range");
}

TEST_F(CniPluginTest, FailureHalfwayThroughAddRollsBackEverything) {
    PODLANE_REQUIRE_ROOT();
    auto &p = pod("taken");
    // The pod already has an eth0: the veth cannot be made after IPAM reserved.
    ASSERT_EQ(std::system(("ip -n " + p.name() + " link add eth0 type veth peer name keepme").c_str()), 0);
    auto r = add("half", p);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.json()["code"], 101) << r.out;
    EXPECT_NE(r.json()["msg"].get<std::string>().find("exists"), std::string::npos) << r.out;
    expect_nothing_left("after a failed ADD");
    EXPECT_FALSE(shell("ip -n " + p.name() + " -o link show eth0").empty()) << "the pod's own eth0 is untouched";
}

// The anti-spoofing opt-out: ADD with args.podlane.allowAnySource writes the
// pod's two exemption entries (its host veth, its MAC), DEL removes them; a
// pod without the arg gets none.
TEST_F(CniPluginTest, AllowAnySourceWritesTheExemptionAndDelRemovesIt) {
    PODLANE_REQUIRE_ROOT();
    auto maps = NodeMaps::open(pin_dir_);
    ASSERT_TRUE(maps.ok());
    auto &plain = pod("plain");
    ASSERT_EQ(add("c-plain", plain).exit_code, 0);
    EXPECT_TRUE(maps->source_exemptions()->empty()) << "off by default";

    auto &router = pod("router");
    json cfg = config();
    cfg["args"] = {{"podlane", {{"allowAnySource", true}}}};
    auto r = add("c-router", router, cfg);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    auto ep = maps->endpoint(*Ipv4::parse(pod_ip(r)));
    ASSERT_TRUE(ep.ok() && *ep);
    auto exemptions = maps->source_exemptions();
    ASSERT_TRUE(exemptions.ok());
    ASSERT_EQ(exemptions->size(), 2u);
    int by_veth = 0, by_mac = 0;
    for (const auto &x : *exemptions) {
        EXPECT_EQ(x.value.flags, PODLANE_SRC_EXEMPT_F_ANY_SOURCE);
        if (x.key.ifindex)
            by_veth += x.key.ifindex == (*ep)->host_ifindex;
        else
            by_mac += std::equal(std::begin(x.key.mac), std::end(x.key.mac), std::begin((*ep)->pod_mac));
    }
    EXPECT_EQ(by_veth, 1);
    EXPECT_EQ(by_mac, 1);

    EXPECT_EQ(del("c-router", router.path()).exit_code, 0);
    EXPECT_TRUE(maps->source_exemptions()->empty()) << "DEL removes the exemption";
    EXPECT_EQ(del("c-plain", plain.path()).exit_code, 0);
    expect_nothing_left("after both DELs");
}

TEST_F(CniPluginTest, WorksWithoutDataplaneAndStatusSaysSo) {
    PODLANE_REQUIRE_ROOT();
    EXPECT_EQ(run(env("STATUS", "", ""), config()).exit_code, 0) << "maps pinned: ready";
    json cfg = config();
    cfg["pinRoot"] = data_dir_ + "/no-maps-here";
    auto st = run(env("STATUS", "", ""), cfg);
    EXPECT_EQ(st.json()["code"], 50) << st.out;
    EXPECT_NE(st.json()["msg"].get<std::string>().find("dataplane not loaded"), std::string::npos);
    auto &p = pod("nodp");
    auto r = add("nodp", p, cfg);
    ASSERT_EQ(r.exit_code, 0) << "ADD works over the plain bridge: " << r.out;
    EXPECT_EQ(run(env("STATUS", "", ""), cfg).json()["code"], 51) << "a pod now lacks its fast path";
    json no_pins = config();
    no_pins.erase("pinRoot");
    EXPECT_EQ(run(env("STATUS", "", ""), no_pins).exit_code, 0) << "no dataplane expected: ready";
    EXPECT_EQ(run(env("DEL", "nodp", p.path()), cfg).exit_code, 0);
    json unwritable = config();
    unwritable["dataDir"] = "/proc/pltest-cni";
    EXPECT_EQ(run(env("STATUS", "", ""), unwritable).json()["code"], 50);
    expect_nothing_left("after no-dataplane ADD/DEL");
}

TEST_F(CniPluginTest, GcKeepsOnlyValidAttachments) {
    PODLANE_REQUIRE_ROOT();
    std::vector<NamedNetns *> ns;
    for (int i = 0; i < 3; i++) {
        ns.push_back(&pod("gc" + std::to_string(i)));
        ASSERT_EQ(add("gc" + std::to_string(i), *ns.back()).exit_code, 0);
    }
    json cfg = config();
    cfg["cni.dev/valid-attachments"] = json::array({{{"containerID", "gc1"}, {"ifname", "eth0"}}});
    auto r = run(env("GC", "", ""), cfg);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(node_links(), std::vector<std::string>{host_veth_name("gc1", "eth0")});
    EXPECT_EQ(endpoint_count(), 1u);
    EXPECT_EQ(store_files().size(), 2u) << "one reservation and its index";
    EXPECT_TRUE(shell("ip -n " + ns[0]->name() + " -o link show eth0 2>/dev/null").empty());
    cfg["cni.dev/valid-attachments"] = json::array();
    EXPECT_EQ(run(env("GC", "", ""), cfg).exit_code, 0);
    expect_nothing_left("after GC of everything");
}

TEST_F(CniPluginTest, AddKilledAtRandomPointsThenDelLeavesNothing) {
    PODLANE_REQUIRE_ROOT();
    auto &p = pod("kill");
    std::mt19937 rng(4242);
    std::uniform_int_distribution<int> delay_us(0, 6000);
    int killed = 0;
    for (int i = 0; i < 40; i++) {
        std::string id = "kill" + std::to_string(i);
        int fd = -1;
        pid_t pid = start_plugin(PODLANE_CNI_BIN, node_->path(), env("ADD", id, p.path()), config().dump(), &fd);
        ASSERT_GT(pid, 0);
        usleep(static_cast<useconds_t>(delay_us(rng)));
        kill(pid, SIGKILL);
        auto r = finish_plugin(pid, fd);
        if (r.exit_code == 128 + SIGKILL) killed++;
        // What a runtime does after a failed or interrupted ADD.
        auto d = del(id, p.path());
        ASSERT_EQ(d.exit_code, 0) << d.out;
        ASSERT_TRUE(node_links().empty()) << "round " << i;
        ASSERT_TRUE(store_files().empty()) << "round " << i << ": " << testing::PrintToString(store_files());
        ASSERT_EQ(endpoint_count(), 0u) << "round " << i;
        ASSERT_TRUE(shell("ip -n " + p.name() + " -o link show eth0 2>/dev/null").empty()) << "round " << i;
    }
    EXPECT_GT(killed, 10) << "most rounds must really be interrupted";
    auto last = add("after-kills", p);
    EXPECT_EQ(last.exit_code, 0) << last.out;
    EXPECT_EQ(del("after-kills", p.path()).exit_code, 0);
    expect_nothing_left("after killed ADDs");
}

class CniPerVethTest : public CniPluginTest {
    unsigned config_flags() const override { return PODLANE_CONFIG_F_PER_VETH; }
};

TEST_F(CniPerVethTest, AttachesThePodProgramToTheHostVeth) {
    PODLANE_REQUIRE_ROOT();
    ASSERT_EQ(pin_pass_program(pin_dir_), "");
    auto &p = pod("perveth");
    auto r = add("pv", p);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    std::string veth = host_veth_name("pv", "eth0");
    {
        auto guard = NetnsGuard::enter(node_->path());
        auto prog = query_tc(node_ifindex(veth), TcDirection::Ingress);
        ASSERT_TRUE(prog.ok());
        EXPECT_TRUE(prog->has_value()) << "program attached at TC ingress";
    }
    auto maps = NodeMaps::open(pin_dir_);
    auto ep = maps->endpoint(*Ipv4::parse(pod_ip(r)));
    ASSERT_TRUE(ep.ok() && ep->has_value());
    EXPECT_TRUE((*ep)->flags & PODLANE_ENDPOINT_F_PROG_ATTACHED);
    EXPECT_EQ(del("pv", p.path()).exit_code, 0);

    // Per-veth mode with no pinned program: ADD fails cleanly.
    fs::remove(pin_dir_ + "/" + PODLANE_PIN_PROG_FROM_POD);
    auto bad = add("pv2", p);
    EXPECT_EQ(bad.json()["code"], 105) << bad.out;
    expect_nothing_left("after per-veth ADD/DEL");
}

TEST_F(CniPluginTest, NodeConfigGivesCidrBridgeUplinkMtuAndPinDir) {
    PODLANE_REQUIRE_ROOT();
    // The node file podlaned reads: its pin dir (pinRoot/nodeName) is ours.
    fs::path pins(pin_dir_);
    std::string node_file = data_dir_ + "/node.json";
    std::ofstream(node_file) << json{{"nodeName", pins.filename().string()},
                                     {"nodeIP", "192.168.77.2"},
                                     {"uplink", "upl0"},
                                     {"bridge", "plbr7"},
                                     {"podCIDR", "10.244.7.0/24"},
                                     {"pinRoot", pins.parent_path().string()}}
                                    .dump();
    ASSERT_EQ(std::system(("ip -n " + node_->name() + " link add upl0 mtu 1450 type veth peer name upl0p").c_str()), 0);
    json cfg{{"cniVersion", "1.0.0"},
             {"name", kNetwork},
             {"type", "podlane"},
             {"nodeConfig", node_file},
             {"dataDir", data_dir_}};
    auto &p = pod("nodecfg");
    auto r = add("nc", p, cfg);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.json()["ips"][0]["gateway"], "10.244.7.1");
    EXPECT_EQ(r.json()["interfaces"][0]["name"], "plbr7");
    EXPECT_NE(shell("ip -n " + p.name() + " -o link show eth0").find("mtu 1450"), std::string::npos) << "uplink's MTU";
    EXPECT_NE(shell("ip -n " + node_->name() + " -o link show " + host_veth_name("nc", "eth0")).find("master plbr7"),
              std::string::npos);
    EXPECT_EQ(endpoint_count(), 1u) << "registered in the maps under pinRoot/nodeName";

    cfg["mtu"] = 1300;
    auto &q = pod("mtu");
    ASSERT_EQ(add("mtu", q, cfg).exit_code, 0);
    EXPECT_NE(shell("ip -n " + q.name() + " -o link show eth0").find("mtu 1300"), std::string::npos)
        << "explicit mtu wins";
    EXPECT_EQ(run(env("DEL", "nc", p.path()), cfg).exit_code, 0);
    EXPECT_EQ(run(env("DEL", "mtu", q.path()), cfg).exit_code, 0);
    EXPECT_EQ(endpoint_count(), 0u);
    EXPECT_EQ(shell("ip -n " + node_->name() + " -o link show master plbr7"), "");
}

TEST_F(CniPluginTest, ReservationsFromAnEarlierBootDoNotBlockAdd) {
    PODLANE_REQUIRE_ROOT();
    json cfg = config("10.244.9.0/30");  // one pod address: .2
    // A reservation left on disk by a pod that died in a power loss.
    fs::create_directories(data_dir_ + "/" + kNetwork);
    std::ofstream(data_dir_ + "/" + kNetwork + "/10.244.9.2")
        << "deadpod\neth0\n00000000-0000-0000-0000-000000000000\n";
    EXPECT_EQ(run(env("STATUS", "", ""), cfg).exit_code, 0) << "an earlier boot's reservation is free";
    auto &p = pod("reboot");
    auto r = add("alive", p, cfg);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(pod_ip(r), "10.244.9.2");
    // The dead pod's late DEL must not take the address from the live one.
    EXPECT_EQ(run(env("DEL", "deadpod", ""), cfg).exit_code, 0);
    EXPECT_EQ(endpoint_count(), 1u);
    EXPECT_NE(shell("ip -n " + p.name() + " -4 -o addr show dev eth0").find("10.244.9.2/30"), std::string::npos);
    EXPECT_EQ(run(env("DEL", "alive", p.path()), cfg).exit_code, 0);
    expect_nothing_left("after reboot reclaim");
}

class CniUplinkXdpTest : public CniPluginTest {
    unsigned config_flags() const override { return PODLANE_CONFIG_F_UPLINK_XDP; }
};

TEST_F(CniUplinkXdpTest, TurnsGroOnInThePod) {
    PODLANE_REQUIRE_ROOT();
    auto &p = pod("gro");
    auto r = add("gro", p);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(shell("ip netns exec " + p.name() + " ethtool -k eth0").find("generic-receive-offload: on"),
              std::string::npos)
        << "XDP_REDIRECT into the veth needs NAPI on the pod side";
    EXPECT_EQ(del("gro", p.path()).exit_code, 0);
    expect_nothing_left("after GRO pod");
}

TEST_F(CniPluginTest, SpecialFilesAndTheNodesOwnNamespaceAreRefusedFast) {
    PODLANE_REQUIRE_ROOT();
    auto &p = pod("special");
    const std::string fifo = data_dir_ + "/fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    const std::string plain = data_dir_ + "/plain";
    std::ofstream(plain) << "not a namespace";
    // The node gets a default route, to see that a pod ADD cannot replace it.
    ASSERT_EQ(std::system(("ip -n " + node_->name() + " link add pltestdum type veth peer name pltestdum2 && ip -n " +
                           node_->name() + " link set pltestdum up && ip -n " + node_->name() +
                           " addr add 192.0.2.1/24 dev pltestdum && ip -n " + node_->name() +
                           " route add default via 192.0.2.254")
                              .c_str()),
              0);
    const std::string node_route = shell("ip -n " + node_->name() + " route show default");
    auto cfg_with = [&](const char *key, const std::string &v) {
        json c = config();
        c[key] = v;
        return c;
    };
    struct Case {
        const char *what;
        EnvVars env;
        json cfg;
        int code;
    } cases[] = {
        {"CNI_NETNS a FIFO", env("ADD", "sp1", fifo), config(), 4},
        {"CNI_NETNS a FIFO, CHECK", env("CHECK", "sp1", fifo), config(), 4},
        {"CNI_NETNS a regular file", env("ADD", "sp1", plain), config(), 4},
        {"CNI_NETNS /dev/zero", env("ADD", "sp1", "/dev/zero"), config(), 4},
        {"CNI_NETNS a mount namespace", env("ADD", "sp1", "/proc/self/ns/mnt"), config(), 4},
        {"CNI_NETNS the node's own", env("ADD", "sp1", node_->path()), config(), 4},
        {"nodeConfig a FIFO", env("ADD", "sp1", p.path()), cfg_with("nodeConfig", fifo), 7},
        {"nodeConfig /dev/zero", env("ADD", "sp1", p.path()), cfg_with("nodeConfig", "/dev/zero"), 7},
    };
    for (auto &c : cases) {
        if (c.env["CNI_COMMAND"] == "CHECK")
            c.cfg["prevResult"] = {{"cniVersion", "1.1.0"},
                                   {"interfaces", {{{"name", "eth0"}, {"sandbox", c.env["CNI_NETNS"]}}}},
                                   {"ips", {{{"address", "10.244.9.5/24"}, {"interface", 0}}}}};
        auto r = run_within(c.env, c.cfg, std::chrono::seconds(10));
        ASSERT_NE(r.exit_code, -1) << c.what << ": the plugin hung";
        EXPECT_NE(r.exit_code, 0) << c.what;
        EXPECT_EQ(r.json()["code"], c.code) << c.what << ": " << r.out;
        auto links = node_links();
        EXPECT_EQ(std::set<std::string>(links.begin(), links.end()), (std::set<std::string>{"pltestdum", "pltestdum2"}))
            << c.what;
        EXPECT_TRUE(store_files().empty()) << c.what;
        EXPECT_EQ(shell("ip -n " + node_->name() + " route show default"), node_route) << c.what;
    }

    // A FIFO named like the first free address: skipped, not opened and
    // waited on with the store's lock held.
    fs::create_directories(data_dir_ + "/" + kNetwork);
    ASSERT_EQ(mkfifo((data_dir_ + "/" + kNetwork + "/10.244.9.2").c_str(), 0600), 0);
    auto r = run_within(env("ADD", "sp2", p.path()), config(), std::chrono::seconds(10));
    ASSERT_NE(r.exit_code, -1) << "ADD hung on the FIFO in the store";
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(pod_ip(r), "10.244.9.3");
    EXPECT_EQ(run_within(env("DEL", "sp2", p.path()), config(), std::chrono::seconds(10)).exit_code, 0);
    fs::remove(data_dir_ + "/" + kNetwork + "/10.244.9.2");
    ASSERT_EQ(std::system(("ip -n " + node_->name() + " link del pltestdum").c_str()), 0);
    expect_nothing_left("after special files");
}

TEST_F(CniPluginTest, GcGoesPastForeignEntriesAndKeepsUnreadableOnesOfThisBoot) {
    PODLANE_REQUIRE_ROOT();
    auto &p = pod("gcf");
    ASSERT_EQ(add("gcf", p).exit_code, 0);
    const std::string store = data_dir_ + "/" + kNetwork;
    fs::create_directories(store + "/10.244.9.200");              // a folder named like an address
    std::ofstream(store + "/10.244.9.201") << "torn\neth0\nboo";  // this boot, unreadable
    json cfg = config();
    cfg["cni.dev/valid-attachments"] = json::array();
    auto gc = run(env("GC", "", ""), cfg);
    EXPECT_EQ(gc.exit_code, 0) << gc.out;
    EXPECT_TRUE(node_links().empty()) << "gcf's veth went with its reservation";
    EXPECT_EQ(endpoint_count(), 0u);
    auto left = store_files();
    EXPECT_EQ(std::set<std::string>(left.begin(), left.end()), (std::set<std::string>{"10.244.9.200", "10.244.9.201"}));
    auto status = run(env("STATUS", "", ""), cfg);
    EXPECT_EQ(status.exit_code, 0) << status.out;
    fs::remove(store + "/10.244.9.200");
    fs::remove(store + "/10.244.9.201");
    expect_nothing_left("after GC past foreign entries");
}
