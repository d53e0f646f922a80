#include "podlane/attach.h"

#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>

#include <cerrno>
#include <string>

namespace podlane {
namespace {

bpf_tc_hook make_hook(int ifindex, TcDirection dir) {
    bpf_tc_hook hook{};
    hook.sz = sizeof hook;
    hook.ifindex = ifindex;
    hook.attach_point = dir == TcDirection::Ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS;
    return hook;
}

bpf_tc_opts make_opts(int prog_fd = 0, uint32_t flags = 0) {
    bpf_tc_opts opts{};
    opts.sz = sizeof opts;
    opts.handle = kTcHandle;
    opts.priority = kTcPriority;
    opts.prog_fd = prog_fd;
    opts.flags = flags;
    return opts;
}

std::string where(int ifindex, const char *hook) {
    char name[IF_NAMESIZE] = {};
    std::string ifname = if_indextoname(ifindex, name) ? name : "#" + std::to_string(ifindex);
    return std::string(hook) + " of " + ifname;
}

}  // namespace

const char *tc_direction_name(TcDirection dir) {
    return dir == TcDirection::Ingress ? "tc-ingress" : "tc-egress";
}

Status attach_tc(int ifindex, TcDirection dir, int prog_fd) {
    bpf_tc_hook hook = make_hook(ifindex, dir);
    int err = bpf_tc_hook_create(&hook);
    if (err && err != -EEXIST) return errno_error("create clsact qdisc on " + where(ifindex, "tc"), -err);
    bpf_tc_opts opts = make_opts(prog_fd, BPF_TC_F_REPLACE);
    err = bpf_tc_attach(&hook, &opts);
    if (err) return errno_error("attach program to " + where(ifindex, tc_direction_name(dir)), -err);
    return {};
}

Status detach_tc(int ifindex, TcDirection dir) {
    bpf_tc_hook hook = make_hook(ifindex, dir);
    bpf_tc_opts opts = make_opts();
    int err = bpf_tc_detach(&hook, &opts);
    if (err && err != -ENOENT && err != -EINVAL && err != -ENODEV)
        return errno_error("detach program from " + where(ifindex, tc_direction_name(dir)), -err);
    return {};
}

Result<std::optional<uint32_t>> query_tc(int ifindex, TcDirection dir) {
    bpf_tc_hook hook = make_hook(ifindex, dir);
    bpf_tc_opts opts = make_opts();
    int err = bpf_tc_query(&hook, &opts);
    if (err == -ENOENT || err == -EINVAL) return std::optional<uint32_t>{};
    if (err) return errno_error("query " + where(ifindex, tc_direction_name(dir)), -err);
    return std::optional<uint32_t>{opts.prog_id};
}

Status attach_xdp(int ifindex, int prog_fd, XdpMode mode) {
    uint32_t flags = mode == XdpMode::NativeOnly ? XDP_FLAGS_DRV_MODE : 0;
    int err = bpf_xdp_attach(ifindex, prog_fd, flags, nullptr);
    if (err && mode == XdpMode::NativeOnly && (err == -EOPNOTSUPP || err == -EINVAL))
        return errno_error("attach XDP program in native mode to " + where(ifindex, "xdp") + " (its driver has no XDP)",
                           EOPNOTSUPP);
    if (err) return errno_error("attach XDP program to " + where(ifindex, "xdp"), -err);
    return {};
}

Status detach_xdp(int ifindex) {
    int err = bpf_xdp_detach(ifindex, 0, nullptr);
    if (err && err != -ENOENT && err != -ENODEV)
        return errno_error("detach XDP program from " + where(ifindex, "xdp"), -err);
    return {};
}

Result<std::optional<uint32_t>> query_xdp(int ifindex) {
    bpf_xdp_query_opts opts{};
    opts.sz = sizeof opts;
    int err = bpf_xdp_query(ifindex, 0, &opts);
    if (err) return errno_error("query " + where(ifindex, "xdp"), -err);
    if (opts.prog_id == 0) return std::optional<uint32_t>{};
    return std::optional<uint32_t>{opts.prog_id};
}

}  // namespace podlane
