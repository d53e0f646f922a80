// The node's BPF programs, loaded with their maps pinned (created, or reused
// when an earlier agent left them) under the node's pin directory.
#pragma once

#include <memory>
#include <string>

#include "mode_words.h"
#include "podlane/result.h"

namespace podlane {

// Who has authority over pod flows (docs/dataplane.md, "Netfilter").
enum class NetfilterMode {
    // New and translated flows, and everything conntrack cannot be asked
    // about from BPF, go through the stack; established untranslated TCP/UDP
    // pod flows take the fast path. Needs the conntrack kfuncs.
    Compat,
    // Every pod flow takes the fast path from its first packet: netfilter
    // (kube-proxy Services, FORWARD policy) never sees it.
    Bypass,
};

// As the CLI, agent.json and podlanectl spell them.
inline constexpr ModeWord<NetfilterMode> kNetfilterWords[] = {{NetfilterMode::Compat, "compat"},
                                                              {NetfilterMode::Bypass, "bypass"}};
inline const char *netfilter_mode_name(NetfilterMode mode) {
    return word_of(kNetfilterWords, mode);
}

struct DatapathOptions {
    NetfilterMode netfilter = NetfilterMode::Compat;
    // Next hop by bpf_fib_lookup + bpf_redirect instead of bpf_redirect_neigh
    // (for side-by-side measurement; see docs/dataplane.md).
    bool next_hop_fib = false;
};

class Datapath {
public:
    // Loads and verifies every node program. On a verifier rejection the
    // error carries the end of the verifier log.
    static Result<Datapath> load(const std::string &pin_dir, DatapathOptions options = {});

    Datapath(Datapath &&) noexcept;
    Datapath &operator=(Datapath &&) noexcept;
    ~Datapath();

    int from_pod_fd() const;    // pod veth / bridge ingress
    int from_host_fd() const;   // host device egress
    int uplink_tc_fd() const;   // uplink TC ingress
    int uplink_xdp_fd() const;  // uplink XDP
    const std::string &pin_dir() const { return pin_dir_; }

    // Pins the pod-side program where the CNI plugin finds it (per-veth
    // mode), replacing an older pin atomically.
    Status pin_from_pod_program() const;

    struct Skeletons;  // the loaded build, defined in datapath.cpp

private:
    Datapath(std::string pin_dir, std::unique_ptr<Skeletons> skels);
    std::string pin_dir_;
    std::unique_ptr<Skeletons> skels_;
};

// Creates the directory (and parents) on bpffs.
Status make_pin_dir(const std::string &dir);

}  // namespace podlane
