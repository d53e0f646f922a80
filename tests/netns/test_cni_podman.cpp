// A real container runtime drives the plugin: podman 4 with its CNI backend
// runs two containers on a `podlane` network inside a node namespace the test
// creates; they get their addresses and talk HTTP; removing them (CNI DEL)
// leaves nothing. podman keeps all its state under a temporary folder.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness.h"
#include "privileges.h"

using namespace podlane::test;
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> key_values(const std::string &text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (auto eq = line.find('='); eq != std::string::npos && eq > 0) out[line.substr(0, eq)] = line.substr(eq + 1);
    return out;
}

class CniPodmanTest : public testing::Test {
protected:
    void TearDown() override {
        if (temp_.empty()) return;
        // podman's shm and rootfs mounts, should a step have failed before rm.
        std::ifstream mounts("/proc/mounts");
        std::vector<std::string> ours;
        std::string dev, point, rest;
        while (mounts >> dev >> point && std::getline(mounts, rest))
            if (point.rfind(temp_, 0) == 0) ours.push_back(point);
        for (auto it = ours.rbegin(); it != ours.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
        std::error_code ec;
        fs::remove_all(temp_, ec);
        for (const auto &e : fs::directory_iterator("/var/lib/cni/results", ec))
            if (e.path().filename().string().find(network_) != std::string::npos) fs::remove(e.path(), ec);
    }
    std::string temp_, network_;
};

}  // namespace

TEST_F(CniPodmanTest, TwoContainersGetAddressesTalkAndLeaveNothing) {
    PODLANE_REQUIRE_ROOT();
    for (const char *tool : {"/usr/bin/podman", "/usr/sbin/runc", "/usr/bin/catatonit", "/bin/busybox"})
        if (!fs::exists(tool))
            GTEST_SKIP() << tool << " missing: install podman runc catatonit busybox-static (.ci/packages)";

    network_ = "pltest-cni-" + std::to_string(getpid());
    NamedNetns node(network_ + "-node");
    ASSERT_TRUE(node.ok());
    char tmpl[] = "/tmp/pltest-cni-podman-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    temp_ = tmpl;
    const fs::path t(temp_);
    for (auto d : {"net.d", "tmp", "rootfs/bin", "rootfs/www", "cnibin"}) fs::create_directories(t / d);

    // The image: busybox-static and a page to serve, imported from a tarball
    // (no registry is reachable).
    fs::copy_file("/bin/busybox", t / "rootfs/bin/busybox");
    std::ofstream(t / "rootfs/www/hello.txt") << "hello-from-c1\n";
    ASSERT_EQ(std::system(("tar -C " + (t / "rootfs").string() + " -cf " + (t / "rootfs.tar").string() + " .").c_str()),
              0);

    fs::copy_file(PODLANE_CNI_BIN, t / "cnibin/podlane");
    std::ofstream(t / "containers.conf")
        << "[network]\nnetwork_backend = \"cni\"\ncni_plugin_dirs = [\"" << (t / "cnibin").string()
        << "\"]\nnetwork_config_dir = \"" << (t / "net.d").string()
        << "\"\n[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n";
    const std::string ipam = (t / "ipam").string();
    std::ofstream(t / "net.d" / (network_ + ".conflist")) << nlohmann::json{
        {"cniVersion", "1.0.0"},
        {"name", network_},
        {"plugins",
         {{{"type", "podlane"},
           {"podCIDR", "10.244.33.0/24"},
           {"bridge", "plpod0"},
           {"dataDir", ipam}}}}}.dump();

    // catatonit reaps conmon (PID 1 here does not); nsenter keeps the
    // machine's mounts, unlike `ip netns exec`.
    std::string out =
        shell("nsenter --net=" + node.path() + " catatonit -- " PODLANE_SOURCE_DIR "/tests/cni/podman_scenario.sh " +
              temp_ + " " + network_ + " 2>&1");
    auto kv = key_values(out);
    EXPECT_EQ(kv.count("FAIL"), 0u) << out;
    ASSERT_EQ(kv["DONE"], "1") << out;
    EXPECT_EQ(kv["IP1"].rfind("10.244.33.", 0), 0u) << out;
    EXPECT_EQ(kv["IP2"].rfind("10.244.33.", 0), 0u) << out;
    EXPECT_NE(kv["IP1"], kv["IP2"]);
    EXPECT_EQ(kv["ADDR2"], kv["IP2"] + "/24") << "the address really is on the container's eth0";
    EXPECT_EQ(kv["FETCH"], "hello-from-c1") << "container 2 reached container 1 over TCP: " << out;

    // podman rm ran DEL: no veth on the bridge, no reservation.
    EXPECT_EQ(shell("ip -n " + node.name() + " -o link show master plpod0"), "");
    std::vector<std::string> left;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(ipam + "/" + network_, ec))
        if (e.path().filename() != "lock" && e.path().filename() != "last") left.push_back(e.path().filename());
    EXPECT_TRUE(left.empty()) << left.size() << " reservations left";
}
