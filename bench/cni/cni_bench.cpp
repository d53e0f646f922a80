// ADD and DEL latency of `podlane` against the CNI reference plugins
// (`bridge` + `host-local`), interleaved in one run so both see the same
// machine state. Each plugin runs as a runtime runs it: a fresh process in
// the node namespace, the config on stdin. Not a test: it prints a table.
//
//   cni_bench PODLANE_BINARY [ITERATIONS] [REFERENCE_DIR]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "harness.h"
#include "podlane/netlink.h"
#include "podlane/netns.h"
#include "privileges.h"

using namespace podlane::test;
using nlohmann::json;

namespace {

struct Samples {
    std::vector<double> add_ms, del_ms;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

// Runs once, returns milliseconds, or a negative value on failure.
double timed(const std::string &bin, const std::string &node, const EnvVars &env, const std::string &cfg) {
    auto start = std::chrono::steady_clock::now();
    PluginRun r = run_plugin(bin, node, env, cfg);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r.exit_code != 0) {
        std::fprintf(stderr, "%s %s failed (%d): %s\n", bin.c_str(), env.at("CNI_COMMAND").c_str(), r.exit_code,
                     r.out.c_str());
        return -1;
    }
    return ms;
}

// The kernel's own cost, no plugin: create a veth pair with its peer in the
// pod namespace, then delete it, through netlink from this process.
bool kernel_floor(const std::string &node, const std::string &pod, Samples &s, bool record) {
    auto guard = podlane::NetnsGuard::enter(node);
    auto pod_fd = podlane::open_netns(pod);
    if (!guard || !pod_fd) return false;
    auto nl = podlane::Netlink::open();
    if (!nl) return false;
    auto start = std::chrono::steady_clock::now();
    if (!nl->create_veth("plfloor0", "eth0", pod_fd->get())) return false;
    auto mid = std::chrono::steady_clock::now();
    if (!nl->delete_link("plfloor0")) return false;
    auto end = std::chrono::steady_clock::now();
    if (record) {
        s.add_ms.push_back(std::chrono::duration<double, std::milli>(mid - start).count());
        s.del_ms.push_back(std::chrono::duration<double, std::milli>(end - mid).count());
    }
    return true;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PODLANE_BINARY [ITERATIONS] [REFERENCE_DIR]\n", argv[0]);
        return 2;
    }
    if (!privileged_skip_reason().empty()) {
        std::fprintf(stderr, "%s\n", privileged_skip_reason().c_str());
        return 2;
    }
    const std::string podlane_bin = argv[1];
    const int iterations = argc > 2 ? std::atoi(argv[2]) : 200;
    const std::string ref_dir = argc > 3 ? argv[3] : "/usr/lib/cni";
    const std::string ref_bin = ref_dir + "/bridge";

    const std::string prefix = "pltest-cni-bench-" + std::to_string(getpid());
    NamedNetns node(prefix + "-node"), pod_a(prefix + "-pa"), pod_b(prefix + "-pb"), pod_c(prefix + "-pc");
    if (!node.ok() || !pod_a.ok() || !pod_b.ok() || !pod_c.ok()) return 1;
    char tmpl[] = "/tmp/pltest-cni-bench-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    const std::string data_dir = tmpl;
    if (auto why = ensure_bpffs(); !why.empty()) std::fprintf(stderr, "%s\n", why.c_str());
    const std::string pin_dir = make_test_pin_dir("cni-bench");
    if (auto why = create_node_maps(pin_dir); !why.empty()) {
        std::fprintf(stderr, "%s\n", why.c_str());
        return 1;
    }

    const std::string podlane_cfg = json{
        {"cniVersion", "1.0.0"},
        {"name", "plbench"},
        {"type", "podlane"},
        {"podCIDR", "10.244.50.0/24"},
        {"dataDir", data_dir + "/podlane"},
        {"pinRoot", pin_dir}}.dump();
    const std::string ref_cfg =
        json{{"cniVersion", "1.0.0"},
             {"name", "refbench"},
             {"type", "bridge"},
             {"bridge", "refbr0"},
             {"isGateway", true},
             {"ipam", {{"type", "host-local"}, {"subnet", "10.245.0.0/24"}, {"dataDir", data_dir + "/host-local"}}}}
            .dump();
    auto env = [&](const char *cmd, const std::string &id, const NamedNetns &pod) {
        return EnvVars{{"CNI_COMMAND", cmd},   {"CNI_CONTAINERID", id}, {"CNI_NETNS", pod.path()},
                       {"CNI_IFNAME", "eth0"}, {"CNI_PATH", ref_dir},   {"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};
    };

    Samples pl, ref, floor;
    int failures = 0;
    // One warm-up round each (page cache, bridge creation), not counted.
    for (int i = -1; i < iterations; i++) {
        std::string id = "bench" + std::to_string(i + 1);
        // Alternate who goes first so neither always runs on a warmer cache.
        for (int turn = 0; turn < 2; turn++) {
            bool podlane_turn = (turn == 0) == (i % 2 == 0);
            const std::string &bin = podlane_turn ? podlane_bin : ref_bin;
            const std::string &cfg = podlane_turn ? podlane_cfg : ref_cfg;
            const NamedNetns &pod = podlane_turn ? pod_a : pod_b;
            Samples &s = podlane_turn ? pl : ref;
            double add = timed(bin, node.path(), env("ADD", id, pod), cfg);
            double del = timed(bin, node.path(), env("DEL", id, pod), cfg);
            if (add < 0 || del < 0) {
                failures++;
                continue;
            }
            if (i >= 0) {
                s.add_ms.push_back(add);
                s.del_ms.push_back(del);
            }
        }
        if (!kernel_floor(node.path(), pod_c.path(), floor, i >= 0)) failures++;
    }

    std::printf("CNI ADD/DEL latency, %d interleaved iterations, each a fresh process in a node namespace\n",
                iterations);
    std::printf("podlane: %s   reference: %s + host-local\n\n", podlane_bin.c_str(), ref_bin.c_str());
    std::printf(
        "| op  | podlane p50 | podlane p99 | reference p50 | reference p99 | p50 ratio podlane/ref | kernel veth p50 "
        "|\n");
    std::printf(
        "|-----|-------------|-------------|---------------|---------------|-----------------------|-----------------|"
        "\n");
    for (auto [name, a, b, k] : {std::tuple{"ADD", &pl.add_ms, &ref.add_ms, &floor.add_ms},
                                 std::tuple{"DEL", &pl.del_ms, &ref.del_ms, &floor.del_ms}}) {
        double p50 = percentile(*a, 50), r50 = percentile(*b, 50);
        std::printf("| %s | %8.2f ms | %8.2f ms | %10.2f ms | %10.2f ms | %21.2f | %12.2f ms |\n", name, p50,
                    percentile(*a, 99), r50, percentile(*b, 99), r50 > 0 ? p50 / r50 : 0.0, percentile(*k, 50));
    }
    std::printf(
        "\nkernel veth = creating / deleting one veth pair through netlink in-process, no plugin: the floor\n"
        "both plugins pay (deleting a device waits for an RCU barrier in the kernel).\n");
    if (failures) std::printf("\n%d runs failed (see stderr)\n", failures);

    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
    remove_pin_dir(pin_dir);
    return failures ? 1 : 0;
}
