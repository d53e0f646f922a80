#include "kernel_features.h"

#include <bpf/libbpf.h>
#include <sys/utsname.h>

namespace podlane {

const std::vector<KernelFeature> &node_program_features()
{
    static const std::vector<KernelFeature> features = {
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_redirect_neigh, "bpf_redirect_neigh", "5.10"},
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_redirect_peer, "bpf_redirect_peer", "5.10"},
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_check_mtu, "bpf_check_mtu", "5.12"},
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_fib_lookup, "bpf_fib_lookup (TC)", "4.18"},
        {BPF_PROG_TYPE_XDP, BPF_FUNC_redirect, "bpf_redirect (XDP)", "4.14"},
    };
    return features;
}

const std::vector<KernelFeature> &router_program_features()
{
    static const std::vector<KernelFeature> features = {
        {BPF_PROG_TYPE_XDP, BPF_FUNC_redirect_map, "bpf_redirect_map (XDP)", "4.14"},
        {BPF_PROG_TYPE_XDP, BPF_FUNC_check_mtu, "bpf_check_mtu (XDP)", "5.12"},
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_check_mtu, "bpf_check_mtu", "5.12"},
    };
    return features;
}

Status require_kernel_features(const std::vector<KernelFeature> &features)
{
    for (const auto &f : features) {
        // 0 is the verifier's "invalid func": the kernel predates the helper.
        // 1: there; < 0: could not probe, left to the load to report.
        if (libbpf_probe_bpf_helper(f.prog_type, f.helper, nullptr) != 0) continue;
        utsname u{};
        std::string running = ::uname(&u) == 0 ? u.release : "unknown";
        return Error{"this kernel (" + running + ") has no " + f.name + ", which podlane's programs need: it came with Linux " +
                         f.since + "; run podlane on a newer kernel",
                     ENOTSUP};
    }
    return {};
}

}  // namespace podlane
