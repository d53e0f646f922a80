#include "env.h"

#include <cctype>

#include "podlane/ifname.h"

namespace podlane::cni {
namespace {

CniError invalid(const std::string &msg) {
    return CniError{kInvalidEnvironment, msg, ""};
}

}  // namespace

bool valid_cni_identifier(std::string_view id, std::size_t max_length) {
    if (id.empty() || id.size() > max_length || !std::isalnum(static_cast<unsigned char>(id[0]))) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
    return true;
}

const char *command_name(Command c) {
    switch (c) {
        case Command::Add:
            return "ADD";
        case Command::Del:
            return "DEL";
        case Command::Check:
            return "CHECK";
        case Command::Version:
            return "VERSION";
        case Command::Status:
            return "STATUS";
        case Command::Gc:
            return "GC";
    }
    return "?";
}

CniResult<CniEnv> parse_env(const EnvLookup &getenv_fn) {
    auto get = [&](const char *name) -> std::string {
        const char *v = getenv_fn(name);
        return v ? v : "";
    };
    CniEnv env;
    std::string cmd = get("CNI_COMMAND");
    if (cmd.empty())
        return invalid(
            "CNI_COMMAND is not set: this is a CNI plugin, run by a container runtime (ADD, DEL, CHECK, STATUS, GC, "
            "VERSION)");
    if (cmd == "ADD")
        env.command = Command::Add;
    else if (cmd == "DEL")
        env.command = Command::Del;
    else if (cmd == "CHECK")
        env.command = Command::Check;
    else if (cmd == "VERSION")
        env.command = Command::Version;
    else if (cmd == "STATUS")
        env.command = Command::Status;
    else if (cmd == "GC")
        env.command = Command::Gc;
    else
        return invalid("CNI_COMMAND '" + cmd + "' is not one of ADD, DEL, CHECK, STATUS, GC, VERSION");

    if (env.command == Command::Version || env.command == Command::Status || env.command == Command::Gc) return env;

    env.container_id = get("CNI_CONTAINERID");
    env.netns = get("CNI_NETNS");
    env.ifname = get("CNI_IFNAME");
    if (env.container_id.empty()) return invalid("CNI_CONTAINERID is not set");
    if (env.container_id.size() > kMaxContainerIdLength)
        return invalid("CNI_CONTAINERID is " + std::to_string(env.container_id.size()) + " characters long; at most " +
                       std::to_string(kMaxContainerIdLength) + " are accepted");
    if (!valid_cni_identifier(env.container_id, kMaxContainerIdLength))
        return invalid("CNI_CONTAINERID '" + env.container_id +
                       "' is not valid (letters, digits, '_', '.', '-', starting with a letter or digit)");
    if (env.ifname.empty()) return invalid("CNI_IFNAME is not set");
    if (auto st = check_ifname(env.ifname); !st) return invalid("CNI_IFNAME " + st.error().message);
    // DEL must work when the namespace is already gone.
    if (env.netns.empty() && env.command != Command::Del) return invalid("CNI_NETNS is not set");
    return env;
}

}  // namespace podlane::cni
