#include "router/router_datapath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include "datapath.h"
#include "kernel_features.h"
#include "skeleton_loader.h"
#include "tc_router.skel.h"
#include "xdp_router.skel.h"

namespace podlane {
namespace {

// libbpf 1.1.2 refuses to reuse a pinned devmap ("parameter mismatch"):
// the kernel adds BPF_F_RDONLY_PROG to every devmap's flags and that libbpf
// compares them with the definition's (fixed in libbpf 1.2). Hand it the
// pinned map ourselves and skip its check; the pin stays where it is.
Status adopt_pinned_devmap(bpf_map *map, const std::string &pin_dir) {
    std::string path = pin_dir + "/" + bpf_map__name(map);
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) return errno == ENOENT ? Status{} : errno_error("open pinned devmap " + path, errno);
    bpf_map_info info{};
    __u32 len = sizeof info;
    int err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
    if (!err && (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
                 info.value_size != bpf_map__value_size(map) || info.max_entries != bpf_map__max_entries(map)))
        err = -EINVAL;
    if (!err) err = bpf_map__set_pin_path(map, nullptr);
    if (!err) err = bpf_map__reuse_fd(map, fd);
    ::close(fd);
    if (err == -EINVAL)
        return Error{"pinned devmap " + path + " has another layout: remove it with `podlaned --role router --detach`",
                     EINVAL};
    if (err) return errno_error("reuse pinned devmap " + path, -err);
    return {};
}

}  // namespace

struct RouterDatapath::Skeletons {
    SkelPtr<xdp_router> xdp;
    SkelPtr<tc_router> tc;
};

Result<RouterDatapath> RouterDatapath::load(const std::string &pin_dir) {
    if (auto st = require_kernel_features(router_program_features()); !st) return st.error();
    if (auto st = make_pin_dir(pin_dir); !st) return st.error();
    SkeletonLoader loader(pin_dir, "podlaned --role router --detach");
    auto skels = std::make_unique<Skeletons>();
    auto xdp = loader.load<xdp_router>(
        "xdp_router", [&](xdp_router &skel) { return adopt_pinned_devmap(skel.maps.pl_txports_v1, pin_dir); });
    if (!xdp) return xdp.error();
    skels->xdp = std::move(*xdp);
    auto tc = loader.load<tc_router>("tc_router");
    if (!tc) return tc.error();
    skels->tc = std::move(*tc);
    return RouterDatapath(pin_dir, std::move(skels));
}

RouterDatapath::RouterDatapath(std::string pin_dir, std::unique_ptr<Skeletons> skels)
    : pin_dir_(std::move(pin_dir)), skels_(std::move(skels)) {}
RouterDatapath::RouterDatapath(RouterDatapath &&) noexcept = default;
RouterDatapath &RouterDatapath::operator=(RouterDatapath &&) noexcept = default;
RouterDatapath::~RouterDatapath() = default;

int RouterDatapath::xdp_fd() const {
    return bpf_program__fd(skels_->xdp->progs.podlane_xdp_router);
}
int RouterDatapath::tc_fd() const {
    return bpf_program__fd(skels_->tc->progs.podlane_tc_router);
}

}  // namespace podlane
