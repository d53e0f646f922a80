#include "podlane/agent_state.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace podlane {
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

}  // namespace

Status write_agent_state(const std::string &dir, const AgentState &s) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return errno_error("create " + dir, ec.value());
    nlohmann::json attachments = nlohmann::json::array();
    for (const auto &a : s.attachments)
        attachments.push_back({{"ifname", a.ifname}, {"ifindex", a.ifindex}, {"hook", a.hook}, {"program", a.program}});
    nlohmann::json refused = nlohmann::json::array();
    for (const auto &r : s.refused_nodes)
        refused.push_back(
            {{"name", r.name}, {"podCIDR", r.pod_cidr}, {"nodeIP", r.node_ip}, {"reason", r.reason}, {"why", r.why}});
    nlohmann::json doc = {
        {"pid", s.pid},
        {"configPath", s.config_path},
        {"role", s.role},
        {"uplinkHook", s.uplink_hook},
        {"attachMode", s.attach_mode},
        {"netfilter", s.netfilter},
        {"pinDir", s.pin_dir},
        {"datastore", s.datastore},
        {"startedAt", s.started_at},
        {"version", s.version},
        {"attachments", attachments},
        {"refusedNodes", refused},
    };
    if (s.network_ready) {
        doc["networkReady"] = *s.network_ready;
        doc["networkReadyReason"] = s.network_ready_reason;
    }
    std::string path = dir + "/agent.json", tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << doc.dump(2) << "\n";
        if (!out) return errno_error("write " + tmp, errno ? errno : EIO);
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) return errno_error("rename " + tmp, ec.value());
    return {};
}

Result<AgentState> parse_agent_state(const std::string &json_text) {
    auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return Error{"agent state is not a JSON object"};
    AgentState a;
    for (auto st : {read_key(doc, "pid", a.pid, true), read_key(doc, "configPath", a.config_path, false),
                    read_key(doc, "role", a.role, false), read_key(doc, "uplinkHook", a.uplink_hook, false),
                    read_key(doc, "attachMode", a.attach_mode, false), read_key(doc, "netfilter", a.netfilter, false),
                    read_key(doc, "pinDir", a.pin_dir, false), read_key(doc, "datastore", a.datastore, false),
                    read_key(doc, "version", a.version, false), read_key(doc, "startedAt", a.started_at, false)})
        if (!st) return st.error();
    if (doc.contains("networkReady")) {
        bool ready = false;
        if (auto st = read_key(doc, "networkReady", ready, true); !st) return st.error();
        a.network_ready = ready;
        if (auto st = read_key(doc, "networkReadyReason", a.network_ready_reason, false); !st) return st.error();
    }
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
    if (auto it = doc.find("refusedNodes"); it != doc.end() && it->is_array()) {
        for (const auto &item : *it) {
            if (!item.is_object()) return Error{"agent state: refusedNodes[] holds a non-object"};
            AgentRefusedNode r;
            for (auto st : {read_key(item, "name", r.name, true), read_key(item, "podCIDR", r.pod_cidr, false),
                            read_key(item, "nodeIP", r.node_ip, false), read_key(item, "reason", r.reason, true),
                            read_key(item, "why", r.why, false)})
                if (!st) return st.error();
            a.refused_nodes.push_back(std::move(r));
        }
    }
    return a;
}

}  // namespace podlane
