#include "context.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "agent_discovery.h"

namespace podlane::ctl {
namespace {

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

bool has_effective_cap(int cap) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (syscall(SYS_capget, &header, data) != 0) return false;
    return data[cap / 32].effective & (1u << (cap % 32));
}

std::string join(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

}  // namespace

int exit_code_for(const Error &error) {
    switch (error.errnum) {
        case 0:       // our own validation: malformed input, unknown node, ...
        case ENOENT:  // maps not pinned, no such entry
        case EPERM:
        case EACCES:  // not root
        case E2BIG:
        case ENOSPC:  // map full
        case ENODEV:  // unknown interface
        case EINVAL:
            return kExitBadInput;
        default:
            return kExitFailed;
    }
}

Status check_privileges() {
    if (geteuid() == 0 || has_effective_cap(CAP_SYS_ADMIN) || has_effective_cap(CAP_BPF)) return {};
    return Error{"podlanectl needs root (CAP_BPF) to read the pinned BPF maps; run it with sudo", EPERM};
}

Result<std::vector<std::string>> list_nodes(const std::string &pin_root) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(pin_root, ec))
        return Error{"no pinned maps: is podlaned running? looked in " + pin_root, ENOENT};
    std::vector<std::string> nodes;
    for (const auto &entry : fs::directory_iterator(pin_root, ec))
        if (entry.is_directory(ec)) nodes.push_back(entry.path().filename().string());
    if (ec) return errno_error("list " + pin_root, ec.value());
    std::sort(nodes.begin(), nodes.end());
    return nodes;
}

Result<std::string> resolve_node(const std::string &pin_root, const std::string &requested) {
    auto nodes = list_nodes(pin_root);
    if (!nodes) return nodes.error();
    if (nodes->empty()) return Error{"no node's maps are pinned: is podlaned running? looked in " + pin_root, ENOENT};
    if (requested.empty()) {
        if (nodes->size() == 1) return nodes->front();
        return Error{"maps of several nodes are pinned in " + pin_root + " (" + join(*nodes) +
                     "): pick one with --node NAME"};
    }
    if (requested.find('/') != std::string::npos || requested == "." || requested == "..")
        return Error{"--node '" + requested + "' is not a node name"};
    if (std::find(nodes->begin(), nodes->end(), requested) == nodes->end())
        return Error{"unknown node '" + requested + "': no maps pinned in " + pin_root + "/" + requested +
                         " (nodes pinned there: " + join(*nodes) + ")",
                     ENOENT};
    return requested;
}

Result<Format> parse_format(const std::string &text) {
    if (text == "table") return Format::Table;
    if (text == "json") return Format::Json;
    return Error{"-o '" + text + "': expected table or json"};
}

Result<Context> Context::open(const GlobalOptions &options) {
    auto format = parse_format(options.output);
    if (!format) return format.error();
    if (auto st = check_privileges(); !st) return st.error();
    auto node = resolve_node(options.pin_root, options.node);
    if (!node) return node.error();
    std::string pin_dir = options.pin_root + "/" + *node;
    auto maps = NodeMaps::open(pin_dir);
    if (!maps) return maps.error();
    // An agent with its own --run-dir (the lab's) is found from the pin
    // directory it pins to, so `status` tells the truth without --run-root.
    std::string run_root = options.run_root;
    if (::access((run_root + "/" + *node + "/agent.json").c_str(), F_OK) != 0)
        if (auto found = find_agent_run_root("/proc", pin_dir, *node)) run_root = *found;
    return Context(*node, std::move(*maps), *format, read_agent_info(run_root, *node));
}

}  // namespace podlane::ctl
