// podlanectl finds an agent that keeps its state outside --run-root (the
// lab's podlaned run with --run-dir) from the pin directory it pins to.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent_discovery.h"
#include "podlane/agent_state.h"

namespace podlane::ctl {
namespace {

namespace fs = std::filesystem;

class FakeProc : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("podlanectl-discovery-" + std::to_string(getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "proc");
    }
    void TearDown() override { fs::remove_all(root_); }

    // A process: its comm and its argv.
    void process(int pid, const std::string &comm, const std::vector<std::string> &argv) {
        fs::path dir = root_ / "proc" / std::to_string(pid);
        fs::create_directories(dir);
        std::ofstream(dir / "comm") << comm << "\n";
        std::ofstream cmdline(dir / "cmdline", std::ios::binary);
        for (const auto &arg : argv) cmdline << arg << '\0';
    }
    // The agent.json a podlaned with this pid wrote for node1.
    void state(const std::string &run_dir, int pid, const std::string &pin_dir) {
        AgentState s;
        s.pid = pid;
        s.pin_dir = pin_dir;
        s.config_path = "/etc/podlane/node.json";
        ASSERT_TRUE(write_agent_state(run_dir + "/node1", s));
    }
    std::string path(const std::string &sub) const { return (root_ / sub).string(); }
    std::string proc() const { return path("proc"); }

    fs::path root_;
};

TEST_F(FakeProc, TheAgentPinningToThePinDirectoryGivesItsRunDir) {
    process(100, "bash", {"bash", "--run-dir", path("run-bash")});
    process(200, "podlaned", {"podlaned", "--config", "x.json", "--run-dir", path("run-lab")});
    state(path("run-lab"), 200, path("pins/node1"));
    auto found = find_agent_run_root(proc(), path("pins/node1"), "node1");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(*found, path("run-lab"));
}

TEST_F(FakeProc, TheEqualsFormOfTheOptionIsRead) {
    process(300, "podlaned", {"podlaned", "--run-dir=" + path("run-eq")});
    state(path("run-eq"), 300, path("pins/node1"));
    auto found = find_agent_run_root(proc(), path("pins/node1"), "node1");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(*found, path("run-eq"));
}

TEST_F(FakeProc, AnotherPinDirectoryAStaleFileOrAnotherProgramIsNoMatch) {
    // Pins elsewhere (another lab, the node's real agent).
    process(400, "podlaned", {"podlaned", "--run-dir", path("run-a")});
    state(path("run-a"), 400, path("pins-other/node1"));
    // Its agent.json was written by an earlier podlaned (another pid).
    process(500, "podlaned", {"podlaned", "--run-dir", path("run-b")});
    state(path("run-b"), 499, path("pins/node1"));
    // Not podlaned, though its arguments look the same.
    process(600, "sleep", {"podlaned", "--run-dir", path("run-c")});
    state(path("run-c"), 600, path("pins/node1"));
    EXPECT_FALSE(find_agent_run_root(proc(), path("pins/node1"), "node1").has_value());
    EXPECT_FALSE(find_agent_run_root(proc(), path("pins/node1"), "node2").has_value());
}

TEST_F(FakeProc, NoProcFolderIsNoMatchNotAnError) {
    EXPECT_FALSE(find_agent_run_root(path("no-such-proc"), path("pins/node1"), "node1").has_value());
}

}  // namespace
}  // namespace podlane::ctl
