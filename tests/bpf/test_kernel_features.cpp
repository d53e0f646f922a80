// The up-front kernel check: passes on a kernel that runs the programs, and
// names the missing helper and the Linux version that has it otherwise.
#include <gtest/gtest.h>

#include "kernel_features.h"
#include "privileges.h"

namespace podlane {
namespace {

TEST(KernelFeatures, ThisKernelHasWhatTheProgramsCall) {
    PODLANE_REQUIRE_ROOT();
    auto node = require_kernel_features(node_program_features());
    EXPECT_TRUE(node) << node.error().message;
    auto router = require_kernel_features(router_program_features());
    EXPECT_TRUE(router) << router.error().message;
}

TEST(KernelFeatures, AMissingHelperIsNamedWithTheVersionThatHasIt) {
    PODLANE_REQUIRE_ROOT();
    // A helper number past every kernel's: the verifier answers "invalid
    // func", exactly as a kernel older than a helper does.
    std::vector<KernelFeature> impossible = {{BPF_PROG_TYPE_SCHED_CLS, 100000, "bpf_redirect_neigh", "5.10"}};
    auto st = require_kernel_features(impossible);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("has no bpf_redirect_neigh"), std::string::npos) << st.error().message;
    EXPECT_NE(st.error().message.find("Linux 5.10"), std::string::npos) << st.error().message;
}

TEST(KernelFeatures, ThisKernelHasTheConntrackFunctions) {
    PODLANE_REQUIRE_ROOT();
    auto st = require_kernel_functions(netfilter_compat_functions(), "nf_conntrack", "compat mode", "or use bypass");
    EXPECT_TRUE(st) << st.error().message;
}

TEST(KernelFeatures, AMissingKernelFunctionIsNamedWithWhatToDo) {
    PODLANE_REQUIRE_ROOT();
    // The real kfuncs live in vmlinux or in nf_conntrack's BTF (a module on
    // Debian's 6.1): searched there, only the made-up one is missing.
    std::vector<KernelFunction> missing = {{"bpf_skb_ct_lookup", "5.18"}, {"bpf_no_such_kfunc", "9.9"}};
    auto st = require_kernel_functions(missing, "nf_conntrack", "the netfilter-compatible mode",
                                       "or start podlaned with --netfilter bypass");
    ASSERT_FALSE(st);
    const std::string &m = st.error().message;
    EXPECT_NE(m.find("has no bpf_no_such_kfunc, which the netfilter-compatible mode calls"), std::string::npos) << m;
    EXPECT_NE(m.find("Linux 9.9"), std::string::npos) << m;
    EXPECT_NE(m.find("--netfilter bypass"), std::string::npos) << m;
    EXPECT_EQ(m.find("modprobe"), std::string::npos) << "nf_conntrack is loaded: no module hint: " << m;

    st = require_kernel_functions({{"bpf_no_such_kfunc", "9.9"}}, "pl_no_such_module", "the netfilter-compatible mode",
                                  "or start podlaned with --netfilter bypass");
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("`modprobe pl_no_such_module`"), std::string::npos)
        << "a module that is not loaded is named: " << st.error().message;
}

}  // namespace
}  // namespace podlane
