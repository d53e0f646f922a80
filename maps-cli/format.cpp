#include "format.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <sstream>

#include "podlane/reasons.h"

namespace podlane::ctl {
namespace {

using nlohmann::json;

std::string join(const std::vector<std::string> &items, const char *sep) {
    std::string out;
    for (const auto &s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string direction_name(Direction d) {
    return d == Direction::FromPod ? "pod" : "uplink";
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

// Who has authority over pod flows, from the node config the programs run
// with (there even when the agent is stopped).
std::string netfilter_mode(const std::optional<podlane_node_config> &cfg) {
    if (!cfg || cfg->role == PODLANE_ROLE_ROUTER) return "";
    return (cfg->flags & PODLANE_CONFIG_F_NETFILTER_BYPASS) ? "bypass" : "compat";
}

std::string netfilter_text(const std::string &mode) {
    if (mode == "bypass")
        return "bypass: every pod flow takes the BPF path from its first packet; kube-proxy Services and "
               "FORWARD-chain policy do not see pod traffic";
    return "compat: new, Service-translated and non-TCP/UDP flows go through the kernel's netfilter; established "
           "pod flows take the BPF path";
}

std::string reason_name(unsigned index) {
    const ReasonInfo *info = reason_info(index);
    return info ? std::string(info->name) : "reason-" + std::to_string(index);
}

}  // namespace

std::string mac_text(const __u8 *bytes) {
    Mac mac;
    std::copy(bytes, bytes + PODLANE_ETH_ALEN, mac.bytes.begin());
    return mac.str();
}

json interface_json(uint32_t ifindex, const IfNames &names) {
    auto it = names.find(ifindex);
    return it == names.end() ? json(nullptr) : json(it->second);
}

// --- Table

Table::Table(std::vector<std::string> headers, std::vector<bool> right_aligned)
    : headers_(std::move(headers)), right_(std::move(right_aligned)) {
    right_.resize(headers_.size(), false);
}

void Table::add(std::vector<std::string> row) {
    row.resize(headers_.size());
    rows_.push_back(std::move(row));
}

std::string Table::str() const {
    std::vector<size_t> width(headers_.size());
    for (size_t c = 0; c < headers_.size(); c++) {
        width[c] = headers_[c].size();
        for (const auto &row : rows_) width[c] = std::max(width[c], row[c].size());
    }
    std::string out;
    auto line = [&](const std::vector<std::string> &cells) {
        std::string text;
        for (size_t c = 0; c < cells.size(); c++) {
            bool last = c + 1 == cells.size();
            std::string pad(width[c] - cells[c].size(), ' ');
            if (right_[c])
                text += pad + cells[c];
            else
                text += cells[c] + (last ? "" : pad);
            if (!last) text += "  ";
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + "\n";
    };
    line(headers_);
    for (const auto &row : rows_) line(row);
    return out;
}

// --- shared pieces

std::vector<std::string> route_flag_names(uint32_t flags) {
    std::vector<std::string> out;
    if (flags & PODLANE_ROUTE_F_LOCAL) out.push_back("local");
    if (flags & PODLANE_ROUTE_F_STATIC) out.push_back("static");
    if (flags & PODLANE_ROUTE_F_ROUTER_NEXTHOP) out.push_back("router-nexthop");
    uint32_t known = PODLANE_ROUTE_F_LOCAL | PODLANE_ROUTE_F_STATIC | PODLANE_ROUTE_F_ROUTER_NEXTHOP;
    if (uint32_t rest = flags & ~known) out.push_back("0x" + (std::ostringstream() << std::hex << rest).str());
    return out;
}

std::string route_kind_of_flags(uint32_t flags) {
    if (flags & PODLANE_ROUTE_F_LOCAL) return "local";
    if (flags & PODLANE_ROUTE_F_ROUTER_NEXTHOP) return "router-nexthop";
    return "remote";
}

std::string route_kind(const podlane_route_value &v) {
    return route_kind_of_flags(v.flags);
}

std::string interface_text(uint32_t ifindex, const IfNames &names) {
    if (ifindex == 0) return "-";
    auto it = names.find(ifindex);
    return it == names.end() ? "#" + std::to_string(ifindex) + " (gone)" : it->second;
}

namespace {

// A route of either family, as it is shown: the two layouts differ only in
// the width of their addresses.
struct RouteView {
    std::string cidr, family, node_ip;
    uint32_t uplink_ifindex = 0, flags = 0;
};

RouteView view_of(const RouteEntry &r) {
    return {r.cidr.str(), "ipv4", Ipv4{r.value.node_ip}.str(), r.value.uplink_ifindex, r.value.flags};
}

RouteView view_of(const Route6Entry &r) {
    return {r.cidr.str(), "ipv6", from_in6(r.value.node_ip).str(), r.value.uplink_ifindex, r.value.flags};
}

json route_view_json(const RouteView &r, const IfNames &names) {
    return {
        {"cidr", r.cidr},
        {"family", r.family},
        {"kind", route_kind_of_flags(r.flags)},
        {"nodeIp", r.node_ip},
        {"uplinkIfindex", r.uplink_ifindex},
        {"uplink", interface_json(r.uplink_ifindex, names)},
        {"flags", route_flag_names(r.flags)},
        {"source", (r.flags & PODLANE_ROUTE_F_STATIC) ? "podlanectl" : "podlaned"},
    };
}

std::string describe_route_view(const RouteView &r, const IfNames &names) {
    std::string text = r.cidr;
    if (r.flags & PODLANE_ROUTE_F_LOCAL)
        text += " local (this node's pods)";
    else
        text += " via " + r.node_ip + " dev " + interface_text(r.uplink_ifindex, names);
    if (r.flags & PODLANE_ROUTE_F_STATIC) text += " (static)";
    return text;
}

void add_route_rows(Table &t, const RouteView &r, const IfNames &names) {
    bool local = r.flags & PODLANE_ROUTE_F_LOCAL;
    t.add({r.cidr, route_kind_of_flags(r.flags), local ? "-" : r.node_ip,
           local ? "-" : interface_text(r.uplink_ifindex, names),
           (r.flags & PODLANE_ROUTE_F_STATIC) ? "static (podlanectl)" : "podlaned"});
}

std::string route_added_text(const std::string &node, const RouteView &route, const std::optional<RouteView> &previous,
                             const IfNames &names, Format f) {
    if (f == Format::Json)
        return json_text({{"node", node},
                          {"action", previous ? "replaced" : "added"},
                          {"route", route_view_json(route, names)},
                          {"previous", previous ? route_view_json(*previous, names) : json(nullptr)}});
    if (previous)
        return "replaced " + describe_route_view(route, names) + "\n  (was " + describe_route_view(*previous, names) +
               ")\n";
    return "added " + describe_route_view(route, names) + "\n";
}

std::string route_deleted_text(const std::string &node, const RouteView &previous, const IfNames &names, Format f) {
    if (f == Format::Json)
        return json_text({{"node", node}, {"action", "deleted"}, {"route", route_view_json(previous, names)}});
    return "deleted " + describe_route_view(previous, names) + "\n";
}

}  // namespace

json route_json(const RouteEntry &r, const IfNames &names) {
    return route_view_json(view_of(r), names);
}

json route_json(const Route6Entry &r, const IfNames &names) {
    return route_view_json(view_of(r), names);
}

// By its veth (per-veth mode) or its MAC (bridge mode): the CNI plugin
// writes both, so either one marks the pod (of either family).
static bool allows_any_source(const podlane_endpoint_value &e, const std::vector<SourceExemption> &exemptions) {
    return std::any_of(exemptions.begin(), exemptions.end(), [&](const SourceExemption &x) {
        if (!(x.value.flags & PODLANE_SRC_EXEMPT_F_ANY_SOURCE)) return false;
        if (x.key.ifindex) return x.key.ifindex == e.host_ifindex;
        return std::equal(std::begin(x.key.mac), std::end(x.key.mac), std::begin(e.pod_mac));
    });
}

static std::vector<std::string> endpoint_flags(const podlane_endpoint_value &e,
                                               const std::vector<SourceExemption> &exemptions) {
    std::vector<std::string> flags;
    if (e.flags & PODLANE_ENDPOINT_F_PROG_ATTACHED) flags.push_back("prog-attached");
    if (allows_any_source(e, exemptions)) flags.push_back("any-source");
    return flags;
}

static json endpoint_value_json(const std::string &pod_ip, const char *family, const podlane_endpoint_value &e,
                                const IfNames &names, const std::vector<SourceExemption> *exemptions) {
    json out = {
        {"podIp", pod_ip},
        {"family", family},
        {"hostIfindex", e.host_ifindex},
        {"hostInterface", interface_json(e.host_ifindex, names)},
        {"podMac", mac_text(e.pod_mac)},
        {"hostMac", mac_text(e.host_mac)},
        {"flags", exemptions ? endpoint_flags(e, *exemptions) : endpoint_flags(e, {})},
    };
    if (exemptions) out["allowAnySource"] = allows_any_source(e, *exemptions);
    return out;
}

json endpoint_json(const EndpointEntry &e, const IfNames &names, const std::vector<SourceExemption> *exemptions) {
    return endpoint_value_json(e.pod_ip.str(), "ipv4", e.value, names, exemptions);
}

json endpoint_json(const Endpoint6Entry &e, const IfNames &names, const std::vector<SourceExemption> *exemptions) {
    return endpoint_value_json(e.pod_ip.str(), "ipv6", e.value, names, exemptions);
}

std::string describe_route(const RouteEntry &r, const IfNames &names) {
    return describe_route_view(view_of(r), names);
}

std::string describe_route(const Route6Entry &r, const IfNames &names) {
    return describe_route_view(view_of(r), names);
}

std::string with_thousands(uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); i++) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string json_text(const json &doc, bool compact) {
    return (compact ? doc.dump() : doc.dump(2)) + "\n";
}

// --- routes

std::string render_routes(const std::string &node, std::vector<RouteEntry> routes, const IfNames &names, Format f) {
    return render_routes(node, std::move(routes), {}, names, f);
}

std::string render_routes(const std::string &node, std::vector<RouteEntry> routes, std::vector<Route6Entry> routes6,
                          const IfNames &names, Format f) {
    std::sort(routes.begin(), routes.end(), [](const RouteEntry &a, const RouteEntry &b) {
        if (a.cidr.prefix.host() != b.cidr.prefix.host()) return a.cidr.prefix.host() < b.cidr.prefix.host();
        return a.cidr.length < b.cidr.length;
    });
    std::sort(routes6.begin(), routes6.end(), [](const Route6Entry &a, const Route6Entry &b) {
        if (a.cidr.prefix != b.cidr.prefix) return a.cidr.prefix < b.cidr.prefix;
        return a.cidr.length < b.cidr.length;
    });
    std::vector<RouteView> views;
    for (const auto &r : routes) views.push_back(view_of(r));
    for (const auto &r : routes6) views.push_back(view_of(r));
    if (f == Format::Json) {
        json list = json::array();
        for (const auto &r : views) list.push_back(route_view_json(r, names));
        return json_text({{"node", node}, {"routes", list}});
    }
    if (views.empty()) return "no routes (node " + node + ")\n";
    Table t({"CIDR", "KIND", "NODE IP", "UPLINK", "SOURCE"});
    for (const auto &r : views) add_route_rows(t, r, names);
    return t.str();
}

std::string render_route_added(const std::string &node, const RouteEntry &route,
                               const std::optional<RouteEntry> &previous, const IfNames &names, Format f) {
    return route_added_text(node, view_of(route), previous ? std::optional(view_of(*previous)) : std::nullopt, names,
                            f);
}

std::string render_route_added(const std::string &node, const Route6Entry &route,
                               const std::optional<Route6Entry> &previous, const IfNames &names, Format f) {
    return route_added_text(node, view_of(route), previous ? std::optional(view_of(*previous)) : std::nullopt, names,
                            f);
}

std::string render_route_deleted(const std::string &node, const RouteEntry &previous, const IfNames &names, Format f) {
    return route_deleted_text(node, view_of(previous), names, f);
}

std::string render_route_deleted(const std::string &node, const Route6Entry &previous, const IfNames &names, Format f) {
    return route_deleted_text(node, view_of(previous), names, f);
}

// --- endpoints

std::string render_endpoints(const std::string &node, std::vector<EndpointEntry> endpoints, const IfNames &names,
                             Format f, const std::vector<SourceExemption> &exemptions) {
    return render_endpoints(node, std::move(endpoints), {}, names, f, exemptions);
}

std::string render_endpoints(const std::string &node, std::vector<EndpointEntry> endpoints,
                             std::vector<Endpoint6Entry> endpoints6, const IfNames &names, Format f,
                             const std::vector<SourceExemption> &exemptions) {
    std::sort(endpoints.begin(), endpoints.end(), [](const auto &a, const auto &b) { return a.pod_ip < b.pod_ip; });
    std::sort(endpoints6.begin(), endpoints6.end(), [](const auto &a, const auto &b) { return a.pod_ip < b.pod_ip; });
    if (f == Format::Json) {
        json list = json::array();
        for (const auto &e : endpoints) list.push_back(endpoint_json(e, names, &exemptions));
        for (const auto &e : endpoints6) list.push_back(endpoint_json(e, names, &exemptions));
        return json_text({{"node", node}, {"endpoints", list}});
    }
    if (endpoints.empty() && endpoints6.empty()) return "no endpoints (node " + node + ")\n";
    Table t({"POD IP", "HOST VETH", "POD MAC", "HOST MAC", "FLAGS"});
    auto add = [&](const std::string &ip, const podlane_endpoint_value &v) {
        std::string flags;
        for (const auto &flag : endpoint_flags(v, exemptions)) flags += (flags.empty() ? "" : ",") + flag;
        t.add({ip, interface_text(v.host_ifindex, names), mac_text(v.pod_mac), mac_text(v.host_mac),
               flags.empty() ? "-" : flags});
    };
    for (const auto &e : endpoints) add(e.pod_ip.str(), e.value);
    for (const auto &e : endpoints6) add(e.pod_ip.str(), e.value);
    return t.str();
}

namespace {

std::string endpoint_deleted_text(const std::string &node, const std::string &ip, const json &object,
                                  const podlane_endpoint_value &v, const IfNames &names, Format f) {
    if (f == Format::Json) return json_text({{"node", node}, {"action", "deleted"}, {"endpoint", object}});
    return "deleted endpoint " + ip + " (host veth " + interface_text(v.host_ifindex, names) + ", pod MAC " +
           mac_text(v.pod_mac) + ")\n";
}

}  // namespace

std::string render_endpoint_deleted(const std::string &node, const EndpointEntry &previous, const IfNames &names,
                                    Format f) {
    return endpoint_deleted_text(node, previous.pod_ip.str(), endpoint_json(previous, names), previous.value, names, f);
}

std::string render_endpoint_deleted(const std::string &node, const Endpoint6Entry &previous, const IfNames &names,
                                    Format f) {
    return endpoint_deleted_text(node, previous.pod_ip.str(), endpoint_json(previous, names), previous.value, names, f);
}

// --- lookup

namespace {

// A lookup of either family, as it is shown.
struct LookupView {
    std::string node, ip, family;
    Direction from = Direction::FromPod;
    podlane_reason reason = PODLANE_PASS_NO_ROUTE;
    std::optional<RouteView> route;
    json route_object, endpoint_object;  // null when there is none
    std::optional<podlane_endpoint_value> endpoint;
    std::optional<podlane_node_config> config;  // shared config, as the programs see it for this family
    bool config_written = false;                // the family's config (IPv4: node IP; IPv6: a pod CIDR)
};

// A BPF verdict that, in compat mode, applies only once conntrack holds the
// flow as established and untranslated.
bool conditional_fast_path(const LookupView &r) {
    const bool fast = r.reason == PODLANE_FWD_REMOTE || r.reason == PODLANE_FWD_LOCAL;
    return fast && netfilter_mode(r.config) == "compat";
}

std::string lookup_summary(const LookupView &r, const IfNames &names) {
    switch (r.reason) {
        case PODLANE_FWD_REMOTE:
            return "forwarded in BPF to node " + r.route->node_ip + " out of " +
                   interface_text(r.route->uplink_ifindex, names);
        case PODLANE_FWD_LOCAL:
            return "delivered in BPF to local pod " + r.ip + " through host veth " +
                   interface_text(r.endpoint->host_ifindex, names);
        case PODLANE_DROP_NO_UPLINK:
            return "dropped: route " + r.route->cidr + " names uplink " +
                   interface_text(r.route->uplink_ifindex, names) + ", which does not exist";
        case PODLANE_PASS_NO_ENDPOINT:
            return "not handled: local pod CIDR, endpoint not registered; the kernel's route and the bridge "
                   "deliver it";
        case PODLANE_PASS_NOT_IPV4:
            if (r.family == "ipv6")
                return "not handled: this node routes no IPv6 pods (no IPv6 pod CIDR in " PODLANE_MAP_CONFIG6
                       "), so the programs leave IPv6 to the kernel (pass-not-ipv4)";
            break;
        default:
            break;
    }
    const ReasonInfo *info = reason_info(r.reason);
    return "not handled: goes to the kernel (" + std::string(info ? info->description : "?") + ")";
}

std::string render_lookup_view(const LookupView &r, const IfNames &names, Format f) {
    const ReasonInfo *info = reason_info(r.reason);
    std::string verdict(info ? verdict_name(info->verdict) : "?");
    if (f == Format::Json) {
        json next_hop = nullptr, uplink = nullptr;
        if (r.reason == PODLANE_FWD_REMOTE) {
            next_hop = r.route->node_ip;
            uplink =
                json{{"ifindex", r.route->uplink_ifindex}, {"name", interface_json(r.route->uplink_ifindex, names)}};
        }
        return json_text({
            {"node", r.node},
            {"ip", r.ip},
            {"family", r.family},
            {"from", direction_name(r.from)},
            {"verdict", verdict},
            {"reason", reason_name(r.reason)},
            {"reasonCode", static_cast<int>(r.reason)},
            {"description", info ? std::string(info->description) : ""},
            {"summary", lookup_summary(r, names)},
            {"route", r.route_object},
            {"endpoint", r.endpoint_object},
            {"nextHop", next_hop},
            {"uplink", uplink},
            {"netfilter", r.config ? json(netfilter_mode(r.config)) : json(nullptr)},
            {"fastPathOnlyForEstablishedFlows", conditional_fast_path(r)},
        });
    }
    Table t({"", ""});
    t.add({"destination", r.ip + (r.from == Direction::FromPod ? " (sent by a local pod or this node)"
                                                               : " (arriving on the uplink)")});
    t.add({"decision", lookup_summary(r, names)});
    t.add({"reason", reason_name(r.reason) + " (" + verdict + ")"});
    t.add({"route", r.route ? describe_route_view(*r.route, names) + " [longest prefix match]" : "none matches"});
    if (r.route && (r.route->flags & PODLANE_ROUTE_F_LOCAL))
        t.add({"endpoint", r.endpoint ? r.ip + " -> veth " + interface_text(r.endpoint->host_ifindex, names) +
                                            ", pod MAC " + mac_text(r.endpoint->pod_mac)
                                      : "none registered"});
    if (conditional_fast_path(r))
        t.add({"netfilter",
               "compat: only for an established TCP/UDP flow that conntrack does not translate; a new "
               "flow (pass-flow-new), a Service-translated one (pass-flow-translated), ICMP and "
               "fragments (pass-flow-untracked) go through the kernel's netfilter first"});
    if (!r.config_written && r.family == "ipv4" && r.reason != PODLANE_PASS_NO_CONFIG)
        t.add({"note", "the agent has not written this node's config yet"});
    if (r.config && r.config->role == PODLANE_ROLE_ROUTER)
        t.add({"note", "this node runs the router role; shown is the node programs' decision"});
    std::string text = t.str();
    return text.substr(text.find('\n') + 1);  // no header row
}

}  // namespace

std::string render_lookup(const LookupReport &r, const IfNames &names, Format f) {
    const Decision &d = r.decision;
    LookupView v;
    v.node = r.node;
    v.ip = r.ip.str();
    v.family = "ipv4";
    v.from = r.from;
    v.reason = d.reason;
    if (d.route) v.route = view_of(*d.route);
    v.route_object = d.route ? route_json(*d.route, names) : json(nullptr);
    v.endpoint_object = d.endpoint ? endpoint_json(*d.endpoint, names) : json(nullptr);
    if (d.endpoint) v.endpoint = d.endpoint->value;
    v.config = r.config;
    v.config_written = r.config.has_value();
    return render_lookup_view(v, names, f);
}

std::string render_lookup(const LookupReport6 &r, const IfNames &names, Format f) {
    const Decision6 &d = r.decision;
    LookupView v;
    v.node = r.node;
    v.ip = r.ip.str();
    v.family = "ipv6";
    v.from = r.from;
    v.reason = d.reason;
    if (d.route) v.route = view_of(*d.route);
    v.route_object = d.route ? route_json(*d.route, names) : json(nullptr);
    v.endpoint_object = d.endpoint ? endpoint_json(*d.endpoint, names) : json(nullptr);
    if (d.endpoint) v.endpoint = d.endpoint->value;
    // The programs read the shared config only beside a valid IPv6 one.
    if (r.config6) v.config = r.config;
    v.config_written = r.config6.has_value();
    return render_lookup_view(v, names, f);
}

// --- stats

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
        head.add({"node config", "node IP " + Ipv4{c.node_ip}.str() + ", pods " +
                                     Cidr{Ipv4{c.pod_cidr}, static_cast<uint8_t>(c.pod_prefixlen)}.str() +
                                     ", gateway " + Ipv4{c.gateway_ip}.str()});
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
