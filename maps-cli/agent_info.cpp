#include "agent_info.h"

#include <nlohmann/json.hpp>

#include "podlane/node_config.h"

namespace podlane::ctl {
namespace {

// Reads key into out when present with the right type; a wrong type is an error.
template <typename T>
Status read_key(const nlohmann::json &doc, const char *key, T &out, bool required) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
        if (required) return Error{std::string("agent state: missing key \"") + key + "\""};
        return {};
    }
    try {
        out = it->get<T>();
    } catch (const nlohmann::json::exception &) {
        return Error{std::string("agent state: key \"") + key + "\" has the wrong type"};
    }
    return {};
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

Result<AgentInfo> parse_agent_state(const std::string &json_text) {
    auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return Error{"agent state is not a JSON object"};
    AgentInfo a;
    for (auto st : {read_key(doc, "pid", a.pid, true), read_key(doc, "configPath", a.config_path, false),
                    read_key(doc, "role", a.role, false), read_key(doc, "uplinkHook", a.uplink_hook, false),
                    read_key(doc, "attachMode", a.attach_mode, false), read_key(doc, "pinDir", a.pin_dir, false),
                    read_key(doc, "datastore", a.datastore, false), read_key(doc, "version", a.version, false),
                    read_key(doc, "startedAt", a.started_at, false)})
        if (!st) return st.error();
    if (auto it = doc.find("attachments"); it != doc.end() && it->is_array()) {
        for (const auto &item : *it) {
            if (!item.is_object()) return Error{"agent state: attachments[] holds a non-object"};
            AgentAttachment att;
            for (auto st : {read_key(item, "ifname", att.ifname, true), read_key(item, "ifindex", att.ifindex, true),
                            read_key(item, "hook", att.hook, true), read_key(item, "program", att.program, false)})
                if (!st) return st.error();
            a.attachments.push_back(std::move(att));
        }
    }
    return a;
}

AgentInfo read_agent_info(const std::string &run_root, const std::string &node) {
    std::string path = run_root + "/" + node + "/agent.json";
    auto text = read_file(path);
    if (!text) {
        AgentInfo none;
        none.state_file = path;
        none.problem = text.error().errnum == ENOENT ? "podlaned is not running for node " + node + " (no " + path + ")"
                                                     : text.error().message;
        return none;
    }
    auto parsed = parse_agent_state(*text);
    if (!parsed) {
        AgentInfo bad;
        bad.state_file = path;
        bad.problem = parsed.error().message + " (" + path + ")";
        return bad;
    }
    AgentInfo a = std::move(*parsed);
    a.state_file = path;
    a.found = true;
    // The pid may have been reused after the agent died: check it is podlaned.
    auto comm = read_file("/proc/" + std::to_string(a.pid) + "/comm");
    if (a.pid <= 0 || !comm) {
        a.problem = "podlaned (pid " + std::to_string(a.pid) + ") is not running; " + path + " is stale";
    } else if (trim(*comm) != "podlaned") {
        a.problem =
            "pid " + std::to_string(a.pid) + " is now '" + trim(*comm) + "', not podlaned; " + path + " is stale";
    } else {
        a.running = true;
        a.netns_path = "/proc/" + std::to_string(a.pid) + "/ns/net";
    }
    return a;
}

}  // namespace podlane::ctl
