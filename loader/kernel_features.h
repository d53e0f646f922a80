// What the running kernel must offer before podlane's programs can load,
// checked up front so a too-old kernel gets one sentence naming the missing
// piece and the version that has it, not a verifier log.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "podlane/result.h"

namespace podlane {

struct KernelFeature {
    bpf_prog_type prog_type;
    // enum bpf_func_id, held as its number: a value no kernel has (the
    // tests' stand-in for a newer helper) is not a valid enum object.
    unsigned helper;
    const char *name;   // as a user would search for it
    const char *since;  // first Linux version that has it
};

// A kernel function (kfunc) a program calls, found in the kernel's BTF.
struct KernelFunction {
    const char *name;
    const char *since;  // first Linux version that has it
};

// The helpers the node programs call, and the router programs'.
const std::vector<KernelFeature> &node_program_features();
const std::vector<KernelFeature> &router_program_features();

// The conntrack kfuncs of the netfilter-compatible node programs.
const std::vector<KernelFunction> &netfilter_compat_functions();

// Ok when every function is in vmlinux's BTF or in the BTF of `module` (the
// kfuncs of a module exist only while it is loaded). The error names the
// first missing one, the version that has it, and what to do.
Status require_kernel_functions(const std::vector<KernelFunction> &functions, const std::string &module,
                                const std::string &needed_by, const std::string &alternative);

// Ok when every feature is there or cannot be probed (probing needs the same
// rights as loading: a probe error is left to the load to report).
Status require_kernel_features(const std::vector<KernelFeature> &features);

}  // namespace podlane
