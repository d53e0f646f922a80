// The one formatter of podlanectl: every command hands its result here as
// data and gets back the text for stdout, as an aligned table or as JSON.
// The JSON keys are an interface for scripts (README.md): add keys, never
// rename or remove them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent_info.h"
#include "decision.h"
#include "ifnames.h"
#include "podlane/maps.h"

namespace podlane::ctl {

enum class Format { Table, Json };

// Columns padded to their widest cell; numeric columns right-aligned.
class Table {
public:
    explicit Table(std::vector<std::string> headers, std::vector<bool> right_aligned = {});
    void add(std::vector<std::string> row);
    std::string str() const;

private:
    std::vector<std::string> headers_;
    std::vector<bool> right_;
    std::vector<std::vector<std::string>> rows_;
};

// --- pieces shared by several commands
std::vector<std::string> route_flag_names(uint32_t flags);
std::string route_kind(const podlane_route_value &v);                   // local | remote | router-nexthop
std::string route_kind_of_flags(uint32_t flags);                        // the same, for either family
std::string interface_text(uint32_t ifindex, const IfNames &names);     // "eth0" or "#7 (gone)"
nlohmann::json interface_json(uint32_t ifindex, const IfNames &names);  // "eth0" or null
std::string mac_text(const __u8 *bytes);                                // "aa:bb:cc:dd:ee:ff"
// Who has authority over pod flows by the node config the programs run with:
// "compat", "bypass", or "" (no config, or a router).
std::string netfilter_mode(const std::optional<podlane_node_config> &cfg);
std::string reason_name(unsigned index);  // the shared table's name, or "reason-N"
// Route and endpoint objects say "family": "ipv4" | "ipv6".
nlohmann::json route_json(const RouteEntry &r, const IfNames &names);
nlohmann::json route_json(const Route6Entry &r, const IfNames &names);
// exemptions: the anti-spoofing opt-out map, when the caller read it; then
// the object says "allowAnySource" (and the flag "any-source").
nlohmann::json endpoint_json(const EndpointEntry &e, const IfNames &names,
                             const std::vector<SourceExemption> *exemptions = nullptr);
nlohmann::json endpoint_json(const Endpoint6Entry &e, const IfNames &names,
                             const std::vector<SourceExemption> *exemptions = nullptr);
std::string describe_route(const RouteEntry &r, const IfNames &names);  // "10.0.0.0/24 via 1.2.3.4 dev eth0 (static)"
std::string describe_route(const Route6Entry &r, const IfNames &names);
std::string with_thousands(uint64_t n);

// --- routes
// IPv4 routes first, then IPv6, each sorted by prefix.
std::string render_routes(const std::string &node, std::vector<RouteEntry> routes, const IfNames &names, Format f);
std::string render_routes(const std::string &node, std::vector<RouteEntry> routes, std::vector<Route6Entry> routes6,
                          const IfNames &names, Format f);
std::string render_route_added(const std::string &node, const RouteEntry &route,
                               const std::optional<RouteEntry> &previous, const IfNames &names, Format f);
std::string render_route_added(const std::string &node, const Route6Entry &route,
                               const std::optional<Route6Entry> &previous, const IfNames &names, Format f);
std::string render_route_deleted(const std::string &node, const RouteEntry &previous, const IfNames &names, Format f);
std::string render_route_deleted(const std::string &node, const Route6Entry &previous, const IfNames &names, Format f);

// --- endpoints
// exemptions: the anti-spoofing opt-out map; an exempt pod shows the flag
// "any-source" (JSON: "allowAnySource": true).
std::string render_endpoints(const std::string &node, std::vector<EndpointEntry> endpoints, const IfNames &names,
                             Format f, const std::vector<SourceExemption> &exemptions = {});
// IPv4 endpoints first, then IPv6, each sorted by address.
std::string render_endpoints(const std::string &node, std::vector<EndpointEntry> endpoints,
                             std::vector<Endpoint6Entry> endpoints6, const IfNames &names, Format f,
                             const std::vector<SourceExemption> &exemptions = {});
std::string render_endpoint_deleted(const std::string &node, const EndpointEntry &previous, const IfNames &names,
                                    Format f);
std::string render_endpoint_deleted(const std::string &node, const Endpoint6Entry &previous, const IfNames &names,
                                    Format f);

// --- lookup
struct LookupReport {
    std::string node;
    Ipv4 ip;
    Direction from = Direction::FromPod;
    Decision decision;
    std::optional<podlane_node_config> config;  // as the programs see it
    bool ipv6_only_node = false;                // config written without IPv4, IPv6 config beside it
};
std::string render_lookup(const LookupReport &report, const IfNames &names, Format f);

struct LookupReport6 {
    std::string node;
    Ipv6 ip;
    Direction from = Direction::FromPod;
    Decision6 decision;
    std::optional<podlane_node_config6> config6;  // as the programs see it (nullopt: no IPv6)
    std::optional<podlane_node_config> config;    // the shared part (role, flags), read with config6
};
std::string render_lookup(const LookupReport6 &report, const IfNames &names, Format f);

// --- stats
struct StatsReport {
    std::string node;
    std::vector<podlane_stat_value> totals;  // indexed by reason
    // Watching: the previous sample and the seconds between the two.
    std::optional<std::vector<podlane_stat_value>> previous;
    double interval_seconds = 0;
    bool all = false;  // table: also the reasons that never counted
};
std::string render_stats(const StatsReport &report, Format f);

// --- status
struct AttachmentStatus {
    AgentAttachment expected;      // as the agent recorded it
    std::optional<bool> attached;  // nullopt: not checked (agent not running)
    uint32_t program_id = 0;       // what the kernel has there (0: nothing)
    std::string program_name;      // the kernel's (15 characters at most)
    std::string problem;           // why it is not as recorded
};

struct StatusReport {
    std::string node;
    std::string pin_dir;
    AgentInfo agent;
    std::vector<AttachmentStatus> attachments;
    std::vector<MapUsage> maps;
    std::optional<podlane_node_config> config;    // as the programs see it
    std::optional<podlane_node_config6> config6;  // the IPv6 side, when the node routes IPv6 pods
    bool dataplane_loaded = false;
};
std::string render_status(const StatusReport &report, const IfNames &names, Format f);

// JSON documents end with a newline; watch mode prints one compact document
// per line instead.
std::string json_text(const nlohmann::json &doc, bool compact = false);

}  // namespace podlane::ctl
