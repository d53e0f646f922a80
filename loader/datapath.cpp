#include "datapath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/stat.h>

#include <filesystem>

#include "conntrack_module.h"
#include "kernel_features.h"
#include "podlane/abi/maps.h"
#include "skeleton_loader.h"
#include "tc_from_pod.skel.h"
#include "tc_from_pod_bypass.skel.h"
#include "tc_uplink.skel.h"
#include "tc_uplink_bypass.skel.h"
#include "xdp_uplink.skel.h"
#include "xdp_uplink_bypass.skel.h"

namespace podlane {

// The three node programs of one build (netfilter-compatible or bypass),
// kept loaded for as long as the Datapath lives.
struct Datapath::Skeletons {
    virtual ~Skeletons() = default;
    int from_pod_fd = -1, from_host_fd = -1, uplink_tc_fd = -1, uplink_xdp_fd = -1;
};

namespace {

template <typename FromPod, typename UplinkTc, typename UplinkXdp>
struct SkeletonSet : Datapath::Skeletons {
    SkelPtr<FromPod> from_pod;
    SkelPtr<UplinkTc> uplink_tc;
    SkelPtr<UplinkXdp> uplink_xdp;
};

template <typename FromPod, typename UplinkTc, typename UplinkXdp>
Result<std::unique_ptr<Datapath::Skeletons>> load_set(const std::string &pin_dir, const DatapathOptions &options) {
    SkeletonLoader loader(pin_dir, "podlaned --detach");
    auto set = std::make_unique<SkeletonSet<FromPod, UplinkTc, UplinkXdp>>();
    auto from_pod = loader.load<FromPod>("tc_from_pod", [&](FromPod &skel) {
        skel.rodata->pl_next_hop_fib = options.next_hop_fib ? 1 : 0;
        return Status{};
    });
    if (!from_pod) return from_pod.error();
    set->from_pod = std::move(*from_pod);
    auto uplink_tc = loader.load<UplinkTc>("tc_uplink");
    if (!uplink_tc) return uplink_tc.error();
    set->uplink_tc = std::move(*uplink_tc);
    auto uplink_xdp = loader.load<UplinkXdp>("xdp_uplink");
    if (!uplink_xdp) return uplink_xdp.error();
    set->uplink_xdp = std::move(*uplink_xdp);
    set->from_pod_fd = bpf_program__fd(set->from_pod->progs.podlane_from_pod);
    set->from_host_fd = bpf_program__fd(set->from_pod->progs.podlane_from_host);
    set->uplink_tc_fd = bpf_program__fd(set->uplink_tc->progs.podlane_uplink_ingress);
    set->uplink_xdp_fd = bpf_program__fd(set->uplink_xdp->progs.podlane_xdp_uplink);
    return std::unique_ptr<Datapath::Skeletons>(std::move(set));
}

}  // namespace

Status make_pin_dir(const std::string &dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return errno_error("create pin directory " + dir, ec.value());
    return {};
}

Result<Datapath> Datapath::load(const std::string &pin_dir, DatapathOptions options) {
    if (auto st = require_kernel_features(node_program_features()); !st) return st.error();
    if (options.netfilter == NetfilterMode::Compat) {
        // Its kfuncs are there only while nf_conntrack is loaded: a fresh
        // node (nothing like kube-proxy ran yet) gets it loaded here.
        const auto loaded = load_conntrack_module();
        if (auto st = require_kernel_functions(
                netfilter_compat_functions(), "nf_conntrack", "the netfilter-compatible mode (the default)",
                "or start podlaned with --netfilter bypass if this cluster's Services and "
                "policy are not netfilter-based (docs/dataplane.md)");
            !st)
            return loaded ? st.error() : Error{st.error().message + " (" + loaded.error().message + ")", ENOTSUP};
    }
    if (auto st = make_pin_dir(pin_dir); !st) return st.error();
    auto skels = options.netfilter == NetfilterMode::Compat
                     ? load_set<tc_from_pod, tc_uplink, xdp_uplink>(pin_dir, options)
                     : load_set<tc_from_pod_bypass, tc_uplink_bypass, xdp_uplink_bypass>(pin_dir, options);
    if (!skels) return skels.error();
    return Datapath(pin_dir, std::move(*skels));
}

Datapath::Datapath(std::string pin_dir, std::unique_ptr<Skeletons> skels)
    : pin_dir_(std::move(pin_dir)), skels_(std::move(skels)) {}
Datapath::Datapath(Datapath &&) noexcept = default;
Datapath &Datapath::operator=(Datapath &&) noexcept = default;
Datapath::~Datapath() = default;

int Datapath::from_pod_fd() const {
    return skels_->from_pod_fd;
}
int Datapath::from_host_fd() const {
    return skels_->from_host_fd;
}
int Datapath::uplink_tc_fd() const {
    return skels_->uplink_tc_fd;
}
int Datapath::uplink_xdp_fd() const {
    return skels_->uplink_xdp_fd;
}

Status Datapath::pin_from_pod_program() const {
    std::string path = pin_dir_ + "/" + PODLANE_PIN_PROG_FROM_POD;
    std::string tmp = path + "_new";  // bpffs refuses names with a dot
    ::unlink(tmp.c_str());
    if (bpf_obj_pin(from_pod_fd(), tmp.c_str()) != 0) return errno_error("pin program at " + tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return errno_error("move pinned program to " + path, err);
    }
    return {};
}

}  // namespace podlane
