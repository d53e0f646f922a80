// The up-front kernel check: passes on a kernel that runs the programs, and
// names the missing helper and the Linux version that has it otherwise.
#include <gtest/gtest.h>

#include "kernel_features.h"
#include "privileges.h"

namespace podlane {
namespace {

TEST(KernelFeatures, ThisKernelHasWhatTheProgramsCall)
{
    PODLANE_REQUIRE_ROOT();
    auto node = require_kernel_features(node_program_features());
    EXPECT_TRUE(node) << node.error().message;
    auto router = require_kernel_features(router_program_features());
    EXPECT_TRUE(router) << router.error().message;
}

TEST(KernelFeatures, AMissingHelperIsNamedWithTheVersionThatHasIt)
{
    PODLANE_REQUIRE_ROOT();
    // A helper number past every kernel's: the verifier answers "invalid
    // func", exactly as a kernel older than a helper does.
    std::vector<KernelFeature> impossible = {
        {BPF_PROG_TYPE_SCHED_CLS, static_cast<bpf_func_id>(100000), "bpf_redirect_neigh", "5.10"}};
    auto st = require_kernel_features(impossible);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("has no bpf_redirect_neigh"), std::string::npos) << st.error().message;
    EXPECT_NE(st.error().message.find("Linux 5.10"), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace podlane
