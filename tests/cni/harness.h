// Test harness for the CNI plugin: named namespaces that clean up after
// themselves, the plugin binary run exactly as a runtime runs it (CNI_*
// environment, config on stdin, result on stdout) from inside a "node"
// namespace, and the dataplane's pinned maps made by hand.
#pragma once

#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace podlane::test {

// `ip netns add NAME` now, `ip netns del NAME` in the destructor.
class NamedNetns {
public:
    explicit NamedNetns(std::string name);
    ~NamedNetns();
    NamedNetns(const NamedNetns &) = delete;
    NamedNetns &operator=(const NamedNetns &) = delete;
    const std::string &name() const { return name_; }
    std::string path() const { return "/run/netns/" + name_; }
    bool ok() const { return ok_; }

private:
    std::string name_;
    bool ok_ = false;
};

struct PluginRun {
    int exit_code = -1;
    std::string out;
    nlohmann::json json() const;  // null when out is not JSON
};

using EnvVars = std::map<std::string, std::string>;

// Starts the plugin in node_netns (setns, like nsenter: the machine's mounts,
// so bpffs stays visible) with exactly env as its environment.
pid_t start_plugin(const std::string &binary, const std::string &node_netns, const EnvVars &env,
                   const std::string &stdin_text, int *stdout_fd);
PluginRun finish_plugin(pid_t pid, int stdout_fd);
PluginRun run_plugin(const std::string &binary, const std::string &node_netns, const EnvVars &env,
                     const std::string &stdin_text);

// Output of a shell command (tests inspect with `ip`).
std::string shell(const std::string &cmd);

// Creates the node's maps with the ABI layouts, pinned under pin_dir by
// their ABI names, as podlaned would. Returns "" or why not.
std::string create_node_maps(const std::string &pin_dir, unsigned config_flags = 0);
// Pins a program that returns TC_ACT_OK as <pin_dir>/prog_from_pod.
std::string pin_pass_program(const std::string &pin_dir);

}  // namespace podlane::test
