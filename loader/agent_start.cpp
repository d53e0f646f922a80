#include "agent_start.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>

namespace podlane {

Status require_root() {
    if (::geteuid() != 0)
        return Error{"podlaned must run as root (it loads BPF programs and configures interfaces)", EPERM};
    return {};
}

AgentState publish_agent_state(const AgentOptions &options, const std::string &node_name, const std::string &pin_dir,
                               AgentState state, const Logger &log) {
    state.pid = static_cast<int>(::getpid());
    state.config_path = std::filesystem::absolute(options.config_path).string();
    state.pin_dir = pin_dir;
    state.datastore = datastore::kind_name(options.datastore.kind);
    state.version = PODLANE_VERSION;
    // Republished when something changes: the start stays the start.
    if (state.started_at == 0) state.started_at = static_cast<long long>(std::time(nullptr));
    if (auto st = write_agent_state(options.run_dir + "/" + node_name, state); !st)
        log("warning: " + st.error().message + " (podlanectl status will know less)");
    return state;
}

Status remove_pins_and_state(const AgentOptions &options, const std::string &node_name, const std::string &pin_dir) {
    std::error_code ec;
    std::filesystem::remove_all(pin_dir, ec);
    if (ec) return errno_error("remove pins in " + pin_dir, ec.value());
    std::filesystem::remove_all(options.run_dir + "/" + node_name, ec);
    return {};
}

}  // namespace podlane
