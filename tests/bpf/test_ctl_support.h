// For podlanectl's privileged tests: run the real binary as a subprocess, and
// pin a node's maps the way podlaned does (same names, types and layouts),
// with room to make a map small enough to fill.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "podlane/abi/maps.h"
#include "podlane/result.h"

namespace podlane::test {

struct CtlRun {
    int exit_code = -1;
    std::string out, err;
};

// Runs podlanectl with args; as_uid >= 0 drops to that uid (and gid) first.
CtlRun run_podlanectl(const std::vector<std::string> &args, int as_uid = -1);

// Creates and pins pl_routes_v1, pl_endpoints_v1, pl_config_v1 and
// pl_stats_v2 under dir (created), and the IPv6 maps pl_routes6_v1,
// pl_endpts6_v1 and pl_config6_v1 unless with_ipv6 is false (an agent that
// predates them). routes_max sizes both route maps.
Status pin_node_maps(const std::string &dir, unsigned routes_max = PODLANE_ROUTES_MAX, bool with_ipv6 = true);

// pin_node_maps, plus the router role's pl_neigh_v1 and pl_rtports_v1.
Status pin_router_maps(const std::string &dir);

// Sets the per-CPU counters of one reason: cpu i gets values[i] (others 0).
Status set_stat(const std::string &dir, unsigned reason, const std::vector<podlane_stat_value> &per_cpu);

// A child process we started; killed (by its pid) and reaped on destruction.
class ChildProcess {
public:
    static Result<ChildProcess> spawn(const std::vector<std::string> &argv);
    ChildProcess(ChildProcess &&other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
    ChildProcess &operator=(ChildProcess &&) = delete;
    ~ChildProcess();
    pid_t pid() const { return pid_; }

private:
    explicit ChildProcess(pid_t pid) : pid_(pid) {}
    pid_t pid_ = -1;
};

}  // namespace podlane::test
