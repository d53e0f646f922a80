#include "dataplane.h"

#include <bpf/bpf.h>
#include <sys/stat.h>

#include "podlane/attach.h"
#include "podlane/unique_fd.h"

namespace podlane::cni {

Result<std::optional<Dataplane>> Dataplane::open(const std::string &pin_dir) {
    struct stat st {};
    std::string endpoints = pin_dir + "/" + PODLANE_MAP_ENDPOINTS;
    if (stat(endpoints.c_str(), &st) != 0 && errno == ENOENT) return std::optional<Dataplane>{};
    auto maps = NodeMaps::open(pin_dir);
    if (!maps) return maps.error().wrap("dataplane maps");
    auto cfg = maps->config();
    uint32_t flags = cfg ? cfg->flags : 0;
    return std::optional<Dataplane>{Dataplane(std::move(*maps), flags)};
}

Status Dataplane::attach_pod_program(int host_ifindex) {
    std::string path = maps_.pin_dir() + "/" + PODLANE_PIN_PROG_FROM_POD;
    UniqueFd prog(bpf_obj_get(path.c_str()));
    if (!prog.valid())
        return errno_error("open pinned program " + path + " (per-veth mode needs podlaned to pin it)", errno);
    if (auto st = attach_tc(host_ifindex, TcDirection::Ingress, prog.get()); !st)
        return st.error().wrap("attach " + path + " to link #" + std::to_string(host_ifindex));
    return {};
}

}  // namespace podlane::cni
