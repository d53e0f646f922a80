#include "kernel_features.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <memory>

namespace podlane {

const std::vector<KernelFeature> &node_program_features() {
    static const std::vector<KernelFeature> features = {
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_redirect_neigh, "bpf_redirect_neigh", "5.10"},
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_redirect_peer, "bpf_redirect_peer", "5.10"},
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_check_mtu, "bpf_check_mtu", "5.12"},
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_fib_lookup, "bpf_fib_lookup (TC)", "4.18"},
        {BPF_PROG_TYPE_XDP, BPF_FUNC_redirect, "bpf_redirect (XDP)", "4.14"},
    };
    return features;
}

const std::vector<KernelFeature> &router_program_features() {
    static const std::vector<KernelFeature> features = {
        {BPF_PROG_TYPE_XDP, BPF_FUNC_redirect_map, "bpf_redirect_map (XDP)", "4.14"},
        {BPF_PROG_TYPE_XDP, BPF_FUNC_check_mtu, "bpf_check_mtu (XDP)", "5.12"},
        {BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_check_mtu, "bpf_check_mtu", "5.12"},
    };
    return features;
}

const std::vector<KernelFunction> &netfilter_compat_functions() {
    static const std::vector<KernelFunction> functions = {
        {"bpf_skb_ct_lookup", "5.18"},
        {"bpf_xdp_ct_lookup", "5.18"},
        {"bpf_ct_release", "5.18"},
        {"bpf_ct_change_timeout", "6.0"},
    };
    return functions;
}

namespace {

struct BtfDeleter {
    void operator()(btf *b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<btf, BtfDeleter>;

std::string running_kernel() {
    utsname u{};
    return ::uname(&u) == 0 ? u.release : "unknown";
}

bool has_function(const btf *b, const char *name) {
    return b && btf__find_by_name_kind(b, name, BTF_KIND_FUNC) > 0;
}

}  // namespace

Status require_kernel_functions(const std::vector<KernelFunction> &functions, const std::string &module,
                                const std::string &needed_by, const std::string &alternative) {
    BtfPtr vmlinux(btf__load_vmlinux_btf());
    if (!vmlinux)
        return Error{
            needed_by +
                " needs the kernel's BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF), which this kernel (" +
                running_kernel() + ") does not offer; " + alternative,
            ENOTSUP};
    const std::string module_path = "/sys/kernel/btf/" + module;
    const bool module_loaded = ::access(module_path.c_str(), R_OK) == 0;
    BtfPtr module_btf(module_loaded ? btf__parse_split(module_path.c_str(), vmlinux.get()) : nullptr);
    for (const auto &f : functions) {
        if (has_function(vmlinux.get(), f.name) || has_function(module_btf.get(), f.name)) continue;
        std::string why = "this kernel (" + running_kernel() + ") has no " + f.name + ", which " + needed_by +
                          " calls: it came with Linux " + f.since;
        if (::access(("/sys/module/" + module).c_str(), F_OK) != 0)
            why += " and lives in the " + module + " module, which is not loaded (`modprobe " + module +
                   "`; kube-proxy and any iptables conntrack rule load it)";
        return Error{why + "; " + alternative, ENOTSUP};
    }
    return {};
}

Status require_kernel_features(const std::vector<KernelFeature> &features) {
    for (const auto &f : features) {
        // 0 is the verifier's "invalid func": the kernel predates the helper.
        // 1: there; < 0: could not probe, left to the load to report.
        if (libbpf_probe_bpf_helper(f.prog_type, static_cast<bpf_func_id>(f.helper), nullptr) != 0) continue;
        utsname u{};
        std::string running = ::uname(&u) == 0 ? u.release : "unknown";
        return Error{"this kernel (" + running + ") has no " + f.name +
                         ", which podlane's programs need: it came with Linux " + f.since +
                         "; run podlane on a newer kernel",
                     ENOTSUP};
    }
    return {};
}

}  // namespace podlane
