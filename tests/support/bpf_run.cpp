#include "bpf_run.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

namespace podlane::test {

RunResult run_program(int prog_fd, const std::vector<uint8_t> &frame, const RunOptions &options) {
    RunResult r;
    r.out.resize(frame.size() + 256);
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_out = r.out.data(),
                .data_size_in = static_cast<__u32>(frame.size()), .data_size_out = static_cast<__u32>(r.out.size()),
                .repeat = static_cast<int>(options.repeat));
    bpf_prog_info info{};
    __u32 info_len = sizeof info;
    __sk_buff skb_ctx{};
    xdp_md xdp_ctx{};
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &info_len) == 0) {
        if (info.type == BPF_PROG_TYPE_SCHED_CLS && options.tc_ingress_ifindex) {
            skb_ctx.ingress_ifindex = *options.tc_ingress_ifindex;
            opts.ctx_in = &skb_ctx;
            opts.ctx_size_in = sizeof skb_ctx;
        } else if (info.type == BPF_PROG_TYPE_XDP && options.xdp_ingress_ifindex) {
            xdp_ctx.data_end = static_cast<__u32>(frame.size());
            xdp_ctx.ingress_ifindex = *options.xdp_ingress_ifindex;
            opts.ctx_in = &xdp_ctx;
            opts.ctx_size_in = sizeof xdp_ctx;
        }
    }
    if (int err = bpf_prog_test_run_opts(prog_fd, &opts); err) {
        r.retval = -1000 + err;
        r.out.clear();
        return r;
    }
    r.retval = static_cast<int>(opts.retval);
    r.out.resize(opts.data_size_out);
    r.duration_ns = opts.duration;
    return r;
}

uint64_t packets_counted(const std::vector<podlane_stat_value> &before, const std::vector<podlane_stat_value> &after) {
    uint64_t counted = 0;
    for (size_t i = 0; i < before.size() && i < after.size(); i++) counted += after[i].packets - before[i].packets;
    return counted;
}

}  // namespace podlane::test
