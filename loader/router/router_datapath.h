// The router role's BPF programs (XDP and TC variants of one decision),
// loaded with their maps pinned under the router's pin directory: the node
// maps (routes, config, stats, endpoints unused) plus neighbours, router
// ports and the tx-ports devmap.
#pragma once

#include <memory>
#include <string>

#include "podlane/result.h"

namespace podlane {

class RouterDatapath {
public:
    // Loads and verifies both programs; a verifier rejection carries the
    // end of the verifier log.
    static Result<RouterDatapath> load(const std::string &pin_dir);

    RouterDatapath(RouterDatapath &&) noexcept;
    RouterDatapath &operator=(RouterDatapath &&) noexcept;
    ~RouterDatapath();

    int xdp_fd() const;  // podlane_xdp_router
    int tc_fd() const;   // podlane_tc_router (TC ingress)
    const std::string &pin_dir() const { return pin_dir_; }

private:
    struct Skeletons;
    RouterDatapath(std::string pin_dir, std::unique_ptr<Skeletons> skels);
    std::string pin_dir_;
    std::unique_ptr<Skeletons> skels_;
};

}  // namespace podlane
