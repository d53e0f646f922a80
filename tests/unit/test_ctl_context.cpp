// Node resolution, the agent's state file and exit codes: plain files, no root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "context.h"

namespace podlane::ctl {
namespace {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() : path_(fs::temp_directory_path() / ("podlanectl-unit-" + std::to_string(getpid()))) {
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string str() const { return path_.string(); }
    void mkdir(const std::string &sub) const { fs::create_directories(path_ / sub); }
    void write(const std::string &sub, const std::string &text) const {
        fs::create_directories((path_ / sub).parent_path());
        std::ofstream(path_ / sub) << text;
    }

private:
    fs::path path_;
};

TEST(CtlNodes, TheOnlyNodeIsPickedWithoutNode) {
    TempDir root;
    root.mkdir("node1");
    root.write("stray-file", "x");  // files are not nodes
    auto node = resolve_node(root.str(), "");
    ASSERT_TRUE(node) << node.error().message;
    EXPECT_EQ(*node, "node1");
}

TEST(CtlNodes, SeveralNodesNeedNodeAndTheErrorListsThem) {
    TempDir root;
    root.mkdir("node2");
    root.mkdir("node1");
    auto node = resolve_node(root.str(), "");
    ASSERT_FALSE(node);
    EXPECT_NE(node.error().message.find("node1, node2"), std::string::npos) << node.error().message;
    EXPECT_NE(node.error().message.find("--node"), std::string::npos) << node.error().message;
    EXPECT_EQ(exit_code_for(node.error()), kExitBadInput);
    EXPECT_EQ(*resolve_node(root.str(), "node2"), "node2");
}

TEST(CtlNodes, UnknownNodeListsKnownOnes) {
    TempDir root;
    root.mkdir("node1");
    auto node = resolve_node(root.str(), "node9");
    ASSERT_FALSE(node);
    EXPECT_NE(node.error().message.find("unknown node 'node9'"), std::string::npos) << node.error().message;
    EXPECT_NE(node.error().message.find("node1"), std::string::npos) << node.error().message;
    EXPECT_EQ(exit_code_for(node.error()), kExitBadInput);
    EXPECT_FALSE(resolve_node(root.str(), "../etc"));
}

TEST(CtlNodes, NothingPinnedAsksWhetherPodlanedRuns) {
    TempDir root;
    auto node = resolve_node(root.str(), "");
    ASSERT_FALSE(node);
    EXPECT_NE(node.error().message.find("is podlaned running? looked in " + root.str()), std::string::npos);
    node = resolve_node(root.str() + "/absent", "");
    ASSERT_FALSE(node);
    EXPECT_NE(node.error().message.find("is podlaned running? looked in " + root.str() + "/absent"), std::string::npos);
    EXPECT_EQ(exit_code_for(node.error()), kExitBadInput);
}

TEST(CtlExitCodes, InputAndEnvironmentAreTwoKernelFailuresOne) {
    EXPECT_EQ(exit_code_for(Error{"bad"}), kExitBadInput);
    EXPECT_EQ(exit_code_for(Error{"full", E2BIG}), kExitBadInput);
    EXPECT_EQ(exit_code_for(Error{"root", EPERM}), kExitBadInput);
    EXPECT_EQ(exit_code_for(Error{"nothing to delete", ESRCH}), kExitFailed);
    EXPECT_EQ(exit_code_for(Error{"io", EIO}), kExitFailed);
    EXPECT_TRUE(parse_format("json"));
    EXPECT_FALSE(parse_format("yaml"));
}

TEST(CtlAgentState, ParsesTheAgentsFile) {
    auto a = parse_agent_state(R"({"pid": 12, "configPath": "/etc/podlane/n1.json", "role": "node",
        "uplinkHook": "tc", "attachMode": "bridge", "netfilter": "bypass", "pinDir": "/sys/fs/bpf/podlane/n1", "startedAt": 1700000000,
        "version": "0.1.0", "datastore": "file",
        "attachments": [{"ifname": "podlane0", "ifindex": 4, "hook": "tc-ingress", "program": "podlane_from_pod"}]})");
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->pid, 12);
    EXPECT_EQ(a->config_path, "/etc/podlane/n1.json");
    EXPECT_EQ(a->uplink_hook, "tc");
    EXPECT_EQ(a->netfilter, "bypass");
    EXPECT_EQ(a->started_at, 1700000000);
    ASSERT_EQ(a->attachments.size(), 1u);
    EXPECT_EQ(a->attachments[0].ifname, "podlane0");
    EXPECT_EQ(a->attachments[0].ifindex, 4);
    EXPECT_EQ(a->attachments[0].hook, "tc-ingress");
}

TEST(CtlAgentState, BadFilesSayWhatIsWrong) {
    EXPECT_FALSE(parse_agent_state("not json"));
    auto a = parse_agent_state(R"({"configPath": "x"})");
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("\"pid\""), std::string::npos);
    a = parse_agent_state(R"({"pid": "twelve"})");
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("wrong type"), std::string::npos);
}

TEST(CtlAgentState, MissingOrStaleStateMeansNotRunning) {
    TempDir run;
    auto a = read_agent_info(run.str(), "n1");
    EXPECT_FALSE(a.found);
    EXPECT_FALSE(a.running);
    EXPECT_NE(a.problem.find("not running"), std::string::npos) << a.problem;

    // This test process is alive but is not podlaned: a reused pid.
    run.write("n1/agent.json", R"({"pid": )" + std::to_string(getpid()) + "}");
    a = read_agent_info(run.str(), "n1");
    EXPECT_TRUE(a.found);
    EXPECT_FALSE(a.running);
    EXPECT_NE(a.problem.find("not podlaned"), std::string::npos) << a.problem;

    run.write("n1/agent.json", R"({"pid": 2147483600})");
    a = read_agent_info(run.str(), "n1");
    EXPECT_FALSE(a.running);
    EXPECT_NE(a.problem.find("stale"), std::string::npos) << a.problem;
}

}  // namespace
}  // namespace podlane::ctl
