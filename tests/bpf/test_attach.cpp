// The attach helpers at the hooks the agent uses, in a private network
// namespace: what `--uplink-hook auto` relies on to never end up on the
// kernel's generic XDP (slower than TC) by accident.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "podlane/attach.h"
#include "podlane/netlink.h"
#include "podlane/unique_fd.h"
#include "privileges.h"

namespace podlane {
namespace {

class Attach : public ::testing::Test {
protected:
    void SetUp() override {
        PODLANE_REQUIRE_ROOT();
        // One process-wide namespace: gtest runs the tests of this binary in it.
        static const std::string why = test::enter_private_netns();
        if (!why.empty()) GTEST_SKIP() << why;
        struct bpf_insn xdp_pass[] = {{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS},
                                      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
        prog_ = UniqueFd(bpf_prog_load(BPF_PROG_TYPE_XDP, "pl_test_pass", "GPL", xdp_pass, 2, nullptr));
        ASSERT_TRUE(prog_.valid()) << std::strerror(errno);
        auto nl = Netlink::open();
        ASSERT_TRUE(nl) << nl.error().message;
        nl_ = std::make_unique<Netlink>(std::move(*nl));
    }

    UniqueFd prog_;
    std::unique_ptr<Netlink> nl_;
};

TEST_F(Attach, NativeOnlyXdpIsRefusedWhereTheDriverHasNone) {
    // A bridge has no XDP of its own: only the generic hook would take it.
    auto bridge = nl_->ensure_bridge("atbr0");
    ASSERT_TRUE(bridge) << bridge.error().message;
    auto st = attach_xdp(bridge->index, prog_.get(), XdpMode::NativeOnly);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().errnum, EOPNOTSUPP) << st.error().message;
    EXPECT_NE(st.error().message.find("atbr0"), std::string::npos) << st.error().message;
    auto attached = query_xdp(bridge->index);
    ASSERT_TRUE(attached) << attached.error().message;
    EXPECT_FALSE(attached->has_value()) << "a refused attach leaves nothing behind";

    ASSERT_TRUE(attach_xdp(bridge->index, prog_.get())) << "generic XDP is still there when asked for";
    attached = query_xdp(bridge->index);
    ASSERT_TRUE(attached && attached->has_value());
    EXPECT_TRUE(detach_xdp(bridge->index));
    EXPECT_TRUE(nl_->delete_link("atbr0"));
}

TEST_F(Attach, NativeOnlyXdpWorksOnAVeth) {
    auto st = nl_->create_veth("atveth0", "atveth0p", -1);
    ASSERT_TRUE(st || st.error().errnum == EEXIST) << st.error().message;
    int ifindex = static_cast<int>(if_nametoindex("atveth0"));
    ASSERT_NE(ifindex, 0);
    auto attached = attach_xdp(ifindex, prog_.get(), XdpMode::NativeOnly);
    EXPECT_TRUE(attached) << attached.error().message;
    auto id = query_xdp(ifindex);
    ASSERT_TRUE(id && id->has_value());
    EXPECT_TRUE(detach_xdp(ifindex));
    EXPECT_TRUE(nl_->delete_link("atveth0"));
}

}  // namespace
}  // namespace podlane
