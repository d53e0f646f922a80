#include "agent_discovery.h"

#include <filesystem>
#include <vector>

#include "podlane/agent_state.h"
#include "podlane/files.h"

namespace podlane::ctl {
namespace {

constexpr const char *kDefaultRunDir = "/run/podlane";

std::vector<std::string> split_nul(const std::string &text) {
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (c == '\0') {
            words.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

// podlaned's --run-dir as CLI11 takes it: "--run-dir DIR" or "--run-dir=DIR".
std::string run_dir_of(const std::vector<std::string> &argv) {
    std::string dir = kDefaultRunDir;
    for (size_t i = 1; i < argv.size(); ++i) {
        if (argv[i] == "--run-dir" && i + 1 < argv.size())
            dir = argv[++i];
        else if (argv[i].rfind("--run-dir=", 0) == 0)
            dir = argv[i].substr(std::string("--run-dir=").size());
    }
    return dir;
}

bool is_pid(const std::string &name) {
    return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::optional<std::string> find_agent_run_root(const std::string &proc_root, const std::string &pin_dir,
                                               const std::string &node) {
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(proc_root, ec)) {
        const std::string pid = entry.path().filename();
        if (!is_pid(pid)) continue;
        auto comm = read_file(entry.path() / "comm");
        if (!comm || comm->substr(0, comm->find('\n')) != "podlaned") continue;
        auto cmdline = read_file(entry.path() / "cmdline");
        if (!cmdline) continue;
        std::string run_dir = run_dir_of(split_nul(*cmdline));
        // A relative --run-dir is relative to the agent's working directory.
        if (!run_dir.empty() && run_dir.front() != '/') run_dir = (entry.path() / "cwd" / run_dir).string();
        auto text = read_file(run_dir + "/" + node + "/agent.json");
        if (!text) continue;
        auto state = parse_agent_state(*text);
        if (!state || std::to_string(state->pid) != pid) continue;
        if (std::filesystem::weakly_canonical(state->pin_dir, ec) != std::filesystem::weakly_canonical(pin_dir, ec))
            continue;
        return run_dir;
    }
    return std::nullopt;
}

}  // namespace podlane::ctl
