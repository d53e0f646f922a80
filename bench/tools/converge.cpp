// pl-bench-converge: convergence latency of running agents. A node joins
// (every node's config file gains it, written atomically as a deployment
// would) and the clock runs until its pod CIDR is in EVERY node's routes map;
// then it leaves and the clock runs until it is gone from every map.
//
//   pl-bench-converge --rounds N --node PIN_DIR=CONFIG_FILE [--node ...]
//
// Prints one JSON object: {"join_ms":[...],"leave_ms":[...]}. The config files
// are restored to what they were before, also when a round times out.
#include <bpf/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "podlane/abi/maps.h"
#include "podlane/ip.h"

using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

struct Node {
    std::string pin_dir, config_path, original;
    int routes_fd = -1;
};

const char *kJoinName = "benchjoin";
const char *kJoinIp = "192.160.1.99";
const char *kJoinCidr = "10.244.199.0/24";

std::string slurp(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_atomic(const std::string &path, const std::string &text) {
    std::string tmp = path + ".bench-tmp";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, path);
}

// Is the joining node's CIDR in this map, pointing at the joining node?
bool present(const Node &n) {
    podlane_route_key key{24, podlane::Cidr::parse(kJoinCidr)->prefix.be};
    podlane_route_value v{};
    if (bpf_map_lookup_elem(n.routes_fd, &key, &v) != 0) return false;
    return v.node_ip == podlane::Ipv4::parse(kJoinIp)->be;
}

// ms until every node's map agrees with `want`, or -1 after the timeout.
double wait_all(const std::vector<Node> &nodes, bool want, Clock::time_point t0) {
    std::vector<bool> done(nodes.size(), false);
    size_t left = nodes.size();
    while (left) {
        for (size_t i = 0; i < nodes.size(); i++)
            if (!done[i] && present(nodes[i]) == want) {
                done[i] = true;
                left--;
            }
        if (!left) break;
        if (Clock::now() - t0 > std::chrono::seconds(5)) return -1;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char **argv) {
    int rounds = 20;
    std::vector<Node> nodes;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--rounds")
            rounds = std::atoi(v.c_str());
        else if (k == "--node" && v.find('=') != std::string::npos)
            nodes.push_back({v.substr(0, v.find('=')), v.substr(v.find('=') + 1), "", -1});
        else {
            std::fprintf(stderr, "usage: pl-bench-converge --rounds N --node PIN_DIR=CONFIG_FILE ...\n");
            return 2;
        }
    }
    if (nodes.empty()) {
        std::fprintf(stderr, "pl-bench-converge: no --node given\n");
        return 2;
    }
    for (auto &n : nodes) {
        std::string map = n.pin_dir + "/" PODLANE_MAP_ROUTES;
        n.routes_fd = bpf_obj_get(map.c_str());
        if (n.routes_fd < 0) {
            std::fprintf(stderr, "pl-bench-converge: open %s: %s\n", map.c_str(), std::strerror(errno));
            return 1;
        }
        n.original = slurp(n.config_path);
    }
    json join_ms = json::array(), leave_ms = json::array();
    int failures = 0;
    for (int r = 0; r < rounds; r++) {
        std::vector<std::string> joined;
        for (auto &n : nodes) {
            auto j = json::parse(n.original);
            j["nodes"].push_back({{"name", kJoinName}, {"nodeIP", kJoinIp}, {"podCIDR", kJoinCidr}});
            joined.push_back(j.dump(1));
        }
        auto t0 = Clock::now();
        for (size_t i = 0; i < nodes.size(); i++) write_atomic(nodes[i].config_path, joined[i]);
        double ms = wait_all(nodes, true, t0);
        if (ms < 0)
            failures++;
        else
            join_ms.push_back(ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        t0 = Clock::now();
        for (auto &n : nodes) write_atomic(n.config_path, n.original);
        ms = wait_all(nodes, false, t0);
        if (ms < 0)
            failures++;
        else
            leave_ms.push_back(ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    for (auto &n : nodes) close(n.routes_fd);
    std::printf("%s\n",
                json{{"nodes", nodes.size()}, {"join_ms", join_ms}, {"leave_ms", leave_ms}, {"timeouts", failures}}
                    .dump()
                    .c_str());
    return failures ? 1 : 0;
}
