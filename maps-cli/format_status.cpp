// podlanectl stats and status: the tables and JSON of what the node runs.
#include <cstdio>
#include <ctime>
#include <sstream>

#include "format.h"
#include "podlane/reasons.h"

namespace podlane::ctl {
namespace {

using nlohmann::json;

std::string join(const std::vector<std::string> &items, const char *sep) {
    std::string out;
    for (const auto &s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// 1234567 -> "1.2M"; for rates.
std::string si(double v) {
    const char *units[] = {"", "k", "M", "G", "T"};
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    return fixed(v, u == 0 ? 0 : 1) + units[u];
}

std::string time_text(long long unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
    return buf;
}

std::vector<std::string> config_flag_names(uint32_t flags) {
    std::vector<std::string> out;
    if (flags & PODLANE_CONFIG_F_VIA_ROUTER) out.push_back("via-router");
    if (flags & PODLANE_CONFIG_F_PER_VETH) out.push_back("per-veth");
    if (flags & PODLANE_CONFIG_F_UPLINK_XDP) out.push_back("uplink-xdp");
    if (flags & PODLANE_CONFIG_F_NETFILTER_BYPASS) out.push_back("netfilter-bypass");
    if (uint32_t rest = flags & ~uint32_t{PODLANE_CONFIG_F_VIA_ROUTER | PODLANE_CONFIG_F_PER_VETH |
                                          PODLANE_CONFIG_F_UPLINK_XDP | PODLANE_CONFIG_F_NETFILTER_BYPASS})
        out.push_back("0x" + (std::ostringstream() << std::hex << rest).str());
    return out;
}

json config_json(const std::optional<podlane_node_config> &cfg, const IfNames &names) {
    if (!cfg) return nullptr;
    auto dev = [&](uint32_t ifindex) { return json{{"ifindex", ifindex}, {"name", interface_json(ifindex, names)}}; };
    return {
        {"nodeIp", Ipv4{cfg->node_ip}.str()},
        {"gatewayIp", Ipv4{cfg->gateway_ip}.str()},
        {"gatewayMac", mac_text(cfg->gateway_mac)},
        {"podCidr", Cidr{Ipv4{cfg->pod_cidr}, static_cast<uint8_t>(cfg->pod_prefixlen)}.str()},
        {"bridge", dev(cfg->bridge_ifindex)},
        {"uplink", dev(cfg->uplink_ifindex)},
        {"hostdev", dev(cfg->hostdev_ifindex)},
        {"role", cfg->role == PODLANE_ROLE_ROUTER ? "router" : "node"},
        {"flags", config_flag_names(cfg->flags)},
        {"uplinkMtu", cfg->uplink_mtu},
    };
}

json config6_json(const std::optional<podlane_node_config6> &cfg) {
    if (!cfg) return nullptr;
    return {
        {"nodeIp", from_in6(cfg->node_ip).str()},
        {"gatewayIp", from_in6(cfg->gateway_ip).str()},
        {"podCidr", Cidr6{from_in6(cfg->pod_cidr), static_cast<uint8_t>(cfg->pod_prefixlen)}.str()},
    };
}

// Arrays always hold max_entries slots: "fill" means nothing for them.
bool is_array_map(const MapUsage &m) {
    return m.name == PODLANE_MAP_CONFIG || m.name == PODLANE_MAP_STATS || m.name == PODLANE_MAP_CONFIG6;
}

std::string netfilter_text(const std::string &mode) {
    if (mode == "bypass")
        return "bypass: every pod flow takes the BPF path from its first packet; kube-proxy Services and "
               "FORWARD-chain policy do not see pod traffic";
    return "compat: new, Service-translated and non-TCP/UDP flows go through the kernel's netfilter; established "
           "pod flows take the BPF path";
}

}  // namespace

std::string render_stats(const StatsReport &r, Format f) {
    const bool rates = r.previous && r.interval_seconds > 0;
    auto rate = [&](unsigned i, bool bytes) {
        const auto &now = r.totals[i], &before = (*r.previous)[i];
        uint64_t a = bytes ? now.bytes : now.packets, b = bytes ? before.bytes : before.packets;
        return a >= b ? static_cast<double>(a - b) / r.interval_seconds : 0.0;  // a counter reset reads as 0
    };
    std::vector<unsigned> indexes;
    for (const auto &info : all_reasons()) indexes.push_back(info.reason);
    for (unsigned i = 0; i < r.totals.size(); i++)  // counted by a newer program than this podlanectl
        if (!reason_info(i) && (r.totals[i].packets || r.totals[i].bytes)) indexes.push_back(i);

    std::map<std::string, podlane_stat_value> by_verdict;
    for (unsigned i : indexes) {
        if (i >= r.totals.size()) continue;
        const ReasonInfo *info = reason_info(i);
        auto &sum = by_verdict[info ? std::string(verdict_name(info->verdict)) : "unknown"];
        sum.packets += r.totals[i].packets;
        sum.bytes += r.totals[i].bytes;
    }

    if (f == Format::Json) {
        json reasons = json::array();
        for (unsigned i : indexes) {
            if (i >= r.totals.size()) continue;
            const ReasonInfo *info = reason_info(i);
            json item = {
                {"reason", reason_name(i)},
                {"code", i},
                {"verdict", info ? std::string(verdict_name(info->verdict)) : "unknown"},
                {"description", info ? std::string(info->description) : ""},
                {"packets", r.totals[i].packets},
                {"bytes", r.totals[i].bytes},
            };
            if (rates) {
                item["packetsPerSecond"] = rate(i, false);
                item["bytesPerSecond"] = rate(i, true);
            }
            reasons.push_back(item);
        }
        json totals = json::object();
        for (const char *v : {"forward", "pass", "drop"})
            totals[v] = {{"packets", by_verdict[v].packets}, {"bytes", by_verdict[v].bytes}};
        json doc = {{"node", r.node}, {"reasons", reasons}, {"totals", totals}};
        if (r.previous) {
            doc["intervalSeconds"] = r.interval_seconds;
            doc["timestamp"] = static_cast<long long>(std::time(nullptr));
        }
        return json_text(doc, r.previous.has_value());
    }

    std::vector<std::string> headers = {"REASON", "VERDICT", "PACKETS", "BYTES"};
    std::vector<bool> right = {false, false, true, true};
    if (rates) {
        headers.insert(headers.end(), {"PKT/S", "BIT/S"});
        right.insert(right.end(), {true, true});
    }
    headers.push_back("MEANING");
    Table t(headers, right);
    for (unsigned i : indexes) {
        if (i >= r.totals.size()) continue;
        const auto &v = r.totals[i];
        bool moving = rates && (rate(i, false) > 0);
        if (!r.all && v.packets == 0 && !moving) continue;
        const ReasonInfo *info = reason_info(i);
        std::vector<std::string> row = {reason_name(i), info ? std::string(verdict_name(info->verdict)) : "unknown",
                                        with_thousands(v.packets), with_thousands(v.bytes)};
        if (rates) row.insert(row.end(), {fixed(rate(i, false), 1), si(rate(i, true) * 8)});
        row.push_back(info ? std::string(info->description) : "counted by a newer program than this podlanectl");
        t.add(row);
    }
    std::string out;
    if (rates) out += "--- node " + r.node + ", rates over " + fixed(r.interval_seconds, 1) + "s ---\n";
    out += t.str();
    out += "total: ";
    std::vector<std::string> parts;
    for (const char *v : {"forward", "pass", "drop"})
        parts.push_back(std::string(v) + " " + with_thousands(by_verdict[v].packets) + " packets");
    out += join(parts, ", ") + " (summed over all CPUs)\n";
    return out;
}

// --- status

std::string render_status(const StatusReport &r, const IfNames &names, Format f) {
    if (f == Format::Json) {
        json agent = {
            {"running", r.agent.running},
            {"stateFile", r.agent.state_file},
            {"problem", r.agent.problem.empty() ? json(nullptr) : json(r.agent.problem)},
        };
        if (r.agent.found) {
            agent.update({{"pid", r.agent.pid},
                          {"configPath", r.agent.config_path},
                          {"role", r.agent.role},
                          {"uplinkHook", r.agent.uplink_hook},
                          {"attachMode", r.agent.attach_mode},
                          {"netfilter", r.agent.netfilter},
                          {"datastore", r.agent.datastore},
                          {"version", r.agent.version},
                          {"startedAt", r.agent.started_at}});
            json refused = json::array();
            std::map<std::string, int> by_reason;
            for (const auto &n : r.agent.refused_nodes) {
                refused.push_back({{"name", n.name},
                                   {"podCIDR", n.pod_cidr},
                                   {"nodeIP", n.node_ip},
                                   {"reason", n.reason},
                                   {"why", n.why}});
                by_reason[n.reason]++;
            }
            agent["refusedNodes"] = refused;
            agent["refusedByReason"] = by_reason;
            agent["networkReady"] = r.agent.network_ready ? json(*r.agent.network_ready) : json(nullptr);
            agent["networkReadyReason"] = r.agent.network_ready ? json(r.agent.network_ready_reason) : json(nullptr);
        }
        json attachments = json::array();
        for (const auto &a : r.attachments)
            attachments.push_back({
                {"ifname", a.expected.ifname},
                {"ifindex", a.expected.ifindex},
                {"hook", a.expected.hook},
                {"expectedProgram", a.expected.program},
                {"attached", a.attached ? json(*a.attached) : json(nullptr)},
                {"programId", a.program_id ? json(a.program_id) : json(nullptr)},
                {"programName", a.program_id ? json(a.program_name) : json(nullptr)},
                {"problem", a.problem.empty() ? json(nullptr) : json(a.problem)},
            });
        json maps = json::array();
        for (const auto &m : r.maps)
            maps.push_back(
                {{"name", m.name},
                 {"entries", m.entries},
                 {"maxEntries", m.max_entries},
                 {"fillPercent",
                  is_array_map(m) || !m.max_entries ? json(nullptr) : json(100.0 * m.entries / m.max_entries)}});
        return json_text(
            {{"node", r.node},
             {"pinDir", r.pin_dir},
             {"dataplaneLoaded", r.dataplane_loaded},
             {"agent", agent},
             {"attachments", attachments},
             {"maps", maps},
             {"netfilter", netfilter_mode(r.config).empty() ? json(nullptr) : json(netfilter_mode(r.config))},
             {"config", config_json(r.config, names)},
             {"config6", config6_json(r.config6)}});
    }

    Table head({"", ""});
    head.add({"node", r.node + " (maps pinned in " + r.pin_dir + ")"});
    std::string dataplane = "NOT fully loaded (see below)";
    if (r.dataplane_loaded)
        dataplane = r.agent.running ? "loaded: maps pinned, programs attached"
                                    : "loaded and forwarding, but the agent is stopped: routes follow the cluster "
                                      "again once podlaned restarts";
    head.add({"dataplane", dataplane});
    if (r.agent.running)
        head.add({"agent", "podlaned running, pid " + std::to_string(r.agent.pid) + ", version " + r.agent.version +
                               ", started " + time_text(r.agent.started_at)});
    else
        head.add({"agent", "not running: " + r.agent.problem});
    if (r.agent.found) {
        head.add({"config file", r.agent.config_path});
        const std::string nodes_from =
            r.agent.datastore.empty()
                ? ""
                : ", nodes from " + (r.agent.datastore == "file" ? "the config file" : r.agent.datastore);
        if (r.agent.role == "router")
            head.add({"mode", "role router, hook " + r.agent.uplink_hook + nodes_from});
        else
            head.add({"mode", "role " + r.agent.role + ", uplink hook " + r.agent.uplink_hook + ", pod side on " +
                                  r.agent.attach_mode + nodes_from});
        if (r.agent.network_ready)
            // What the cluster is told (the Node's NetworkUnavailable
            // condition, the etcd registration).
            head.add({"network",
                      std::string(*r.agent.network_ready ? "ready: " : "NOT ready: ") + r.agent.network_ready_reason});
        if (!r.agent.refused_nodes.empty()) {
            // Entries of the node list the agent does not route, per reason.
            std::map<std::string, std::vector<std::string>> by_reason;
            for (const auto &n : r.agent.refused_nodes) by_reason[n.reason].push_back(n.name);
            std::vector<std::string> parts;
            for (const auto &[reason, nodes] : by_reason)
                parts.push_back(reason + " " + std::to_string(nodes.size()) + " (" + join(nodes, ", ") + ")");
            head.add({"refused nodes", std::to_string(r.agent.refused_nodes.size()) +
                                           " not routed: " + join(parts, "; ") + " (the agent's log says why)"});
        }
    }
    if (r.config && r.config->role == PODLANE_ROLE_ROUTER) {
        const auto &c = *r.config;
        head.add({"router config", "router IP " + Ipv4{c.node_ip}.str() + ", first interface " +
                                       interface_text(c.uplink_ifindex, names) + " (mtu " +
                                       std::to_string(c.uplink_mtu) + ")"});
    } else if (r.config) {
        const auto &c = *r.config;
        if (c.node_ip)
            head.add({"node config", "node IP " + Ipv4{c.node_ip}.str() + ", pods " +
                                         Cidr{Ipv4{c.pod_cidr}, static_cast<uint8_t>(c.pod_prefixlen)}.str() +
                                         ", gateway " + Ipv4{c.gateway_ip}.str()});
        else
            head.add({"node config", "no IPv4 (an IPv6-only node: IPv4 is passed to the kernel)"});
        head.add({"netfilter", netfilter_text(netfilter_mode(r.config))});
        head.add({"devices", "bridge " + interface_text(c.bridge_ifindex, names) + ", uplink " +
                                 interface_text(c.uplink_ifindex, names) + " (mtu " + std::to_string(c.uplink_mtu) +
                                 "), host device " + interface_text(c.hostdev_ifindex, names)});
    } else if (!r.config6) {
        head.add({"node config", "not written yet (the programs pass everything to the kernel)"});
    } else {
        head.add({"node config", "no IPv4 (an IPv6-only node)"});
    }
    if (r.config6) {
        const auto &c = *r.config6;
        head.add({"node IPv6", "node IP " + from_in6(c.node_ip).str() + ", pods " +
                                   Cidr6{from_in6(c.pod_cidr), static_cast<uint8_t>(c.pod_prefixlen)}.str() +
                                   ", gateway " + from_in6(c.gateway_ip).str()});
    }
    std::string text = head.str();
    std::string out = text.substr(text.find('\n') + 1) + "\n";

    if (!r.attachments.empty()) {
        Table t({"INTERFACE", "HOOK", "PROGRAM", "PROG ID", "STATE"}, {false, false, false, true, false});
        for (const auto &a : r.attachments) {
            std::string state = !a.attached ? "not checked" : *a.attached ? "attached" : "MISSING";
            if (!a.problem.empty()) state += ": " + a.problem;
            t.add({a.expected.ifname, a.expected.hook, a.expected.program,
                   a.program_id ? std::to_string(a.program_id) : "-", state});
        }
        out += t.str() + "\n";
    } else {
        out += "attachments: unknown (no agent state)\n\n";
    }

    Table maps({"MAP", "ENTRIES", "MAX", "FILL"}, {false, true, true, true});
    for (const auto &m : r.maps)
        maps.add({m.name, with_thousands(m.entries), with_thousands(m.max_entries),
                  is_array_map(m) || !m.max_entries ? "- (array)" : fixed(100.0 * m.entries / m.max_entries, 1) + "%"});
    return out + maps.str();
}

}  // namespace podlane::ctl
