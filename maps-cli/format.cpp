#include "format.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "podlane/reasons.h"

namespace podlane::ctl {
namespace {

using nlohmann::json;

std::string direction_name(Direction d) {
    return d == Direction::FromPod ? "pod" : "uplink";
}

}  // namespace

// From the node config, there even when the agent is stopped.
std::string netfilter_mode(const std::optional<podlane_node_config> &cfg) {
    if (!cfg || cfg->role == PODLANE_ROLE_ROUTER) return "";
    return (cfg->flags & PODLANE_CONFIG_F_NETFILTER_BYPASS) ? "bypass" : "compat";
}

std::string reason_name(unsigned index) {
    const ReasonInfo *info = reason_info(index);
    return info ? std::string(info->name) : "reason-" + std::to_string(index);
}

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
    bool ipv6_only_node = false;                // shared config written, node IP 0, IPv6 config beside it
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
    if (r.family == "ipv4" && r.reason == PODLANE_PASS_NO_CONFIG && r.ipv6_only_node)
        t.add({"note", "this node is IPv6-only: it routes no IPv4 pods, and IPv4 goes to the kernel"});
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
    v.ipv6_only_node = r.ipv6_only_node;
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

}  // namespace podlane::ctl
