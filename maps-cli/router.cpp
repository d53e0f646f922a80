// podlanectl router neighbours | ports: the router role's own maps, the MACs
// it learned for the nodes (pl_neigh_v1) and the interfaces it forwards on
// (pl_rtports_v1). Read-only: the router agent owns both.
#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "commands.h"

namespace podlane::ctl {
namespace {

using nlohmann::json;

// Every entry of a pinned hash map of the router's, in key order.
template <typename Key, typename Value>
Result<std::vector<std::pair<Key, Value>>> read_entries(const std::string &pin_dir, const char *map_name) {
    auto map = PinnedMap::open(pin_dir, map_name);
    if (!map && map.error().errnum == ENOENT)
        return Error{
            std::string("no ") + map_name + " in " + pin_dir + ": not a router's maps (podlaned --role router pins it)",
            ENOENT};
    if (!map) return map.error();
    std::vector<std::pair<Key, Value>> entries;
    Key key{}, next{};
    Key *cursor = nullptr;  // NULL: start from the first key
    while (bpf_map_get_next_key(map->fd(), cursor, &next) == 0) {
        Value value{};
        // An entry deleted between the two calls is simply skipped.
        if (bpf_map_lookup_elem(map->fd(), &next, &value) == 0) entries.emplace_back(next, value);
        key = next;
        cursor = &key;
    }
    if (errno != ENOENT) return errno_error("iterate map " + map->path(), errno);
    return entries;
}

std::vector<std::string> port_flag_names(uint32_t flags) {
    std::vector<std::string> out;
    if (flags & PODLANE_ROUTER_PORT_F_VETH_PEER) out.push_back("veth-peer");
    if (uint32_t unknown = flags & ~uint32_t{PODLANE_ROUTER_PORT_F_VETH_PEER}) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%x", unknown);
        out.push_back(hex);
    }
    return out;
}

std::string render_neighbours(const std::string &node,
                              const std::vector<std::pair<podlane_neighbour_key, podlane_neighbour_value>> &entries,
                              const IfNames &names, Format f) {
    if (f == Format::Json) {
        json list = json::array();
        for (const auto &[k, v] : entries)
            list.push_back({{"ip", Ipv4{k.ip}.str()},
                            {"mac", mac_text(v.mac)},
                            {"ifindex", v.ifindex},
                            {"interface", interface_json(v.ifindex, names)}});
        return json_text({{"node", node}, {"neighbours", list}});
    }
    if (entries.empty()) return "no neighbours learned (node " + node + ")\n";
    Table t({"NODE IP", "MAC", "INTERFACE"});
    for (const auto &[k, v] : entries) t.add({Ipv4{k.ip}.str(), mac_text(v.mac), interface_text(v.ifindex, names)});
    return t.str();
}

std::string render_ports(const std::string &node,
                         const std::vector<std::pair<podlane_router_port_key, podlane_router_port_value>> &entries,
                         const IfNames &names, Format f) {
    if (f == Format::Json) {
        json list = json::array();
        for (const auto &[k, v] : entries)
            list.push_back({{"ifindex", k.ifindex},
                            {"interface", interface_json(k.ifindex, names)},
                            {"mac", mac_text(v.mac)},
                            {"flags", port_flag_names(v.flags)},
                            {"mtu", v.mtu}});
        return json_text({{"node", node}, {"ports", list}});
    }
    if (entries.empty()) return "no router ports (node " + node + ")\n";
    Table t({"INTERFACE", "MAC", "MTU", "FLAGS"}, {false, false, true, false});
    for (const auto &[k, v] : entries) {
        std::string flags;
        for (const auto &name : port_flag_names(v.flags)) flags += (flags.empty() ? "" : ",") + name;
        t.add({interface_text(k.ifindex, names), mac_text(v.mac), std::to_string(v.mtu), flags.empty() ? "-" : flags});
    }
    return t.str();
}

}  // namespace

RouterCommands::RouterCommands(CLI::App &app) {
    group_ = app.add_subcommand("router", "The router role's maps: learned node MACs, forwarding interfaces");
    group_->require_subcommand(1);
    neighbours_ = group_->add_subcommand("neighbours", "Nodes whose MAC the router learned: IP, MAC, interface");
    neighbours_->alias("neigh");
    ports_ = group_->add_subcommand("ports", "Interfaces the router forwards on: MAC, MTU, flags");
    // After the subcommands, which would inherit it.
    group_->footer(
        "Read-only: the router agent owns these maps.\n"
        "Examples:\n"
        "  podlanectl --node router router neighbours\n"
        "  podlanectl --node router router ports -o json");
}

bool RouterCommands::selected() const {
    return group_->parsed();
}

Result<int> RouterCommands::run(const GlobalOptions &global, std::ostream &out) {
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    if (neighbours_->parsed()) {
        auto entries =
            read_entries<podlane_neighbour_key, podlane_neighbour_value>(ctx->pin_dir(), PODLANE_MAP_NEIGHBOURS);
        if (!entries) return entries.error();
        std::sort(entries->begin(), entries->end(),
                  [](const auto &a, const auto &b) { return Ipv4{a.first.ip} < Ipv4{b.first.ip}; });
        out << render_neighbours(ctx->node(), *entries, node_interface_names(*ctx), ctx->format());
        return kExitOk;
    }
    auto entries =
        read_entries<podlane_router_port_key, podlane_router_port_value>(ctx->pin_dir(), PODLANE_MAP_ROUTER_PORTS);
    if (!entries) return entries.error();
    std::sort(entries->begin(), entries->end(),
              [](const auto &a, const auto &b) { return a.first.ifindex < b.first.ifindex; });
    out << render_ports(ctx->node(), *entries, node_interface_names(*ctx), ctx->format());
    return kExitOk;
}

}  // namespace podlane::ctl
