#include "router/router_maps.h"

#include <bpf/bpf.h>

#include <cstring>

namespace podlane {
Result<RouterMaps> RouterMaps::open(const std::string &pin_dir) {
    auto neigh = PinnedMap::open(pin_dir, PODLANE_MAP_NEIGHBOURS);
    if (!neigh) return neigh.error();
    auto ports = PinnedMap::open(pin_dir, PODLANE_MAP_ROUTER_PORTS);
    if (!ports) return ports.error();
    auto tx = PinnedMap::open(pin_dir, PODLANE_MAP_TX_PORTS);
    if (!tx) return tx.error();
    return RouterMaps(std::move(*neigh), std::move(*ports), std::move(*tx));
}

Result<std::map<Ipv4, NeighbourEntry>> RouterMaps::neighbours() const {
    std::map<Ipv4, NeighbourEntry> out;
    auto st = for_each_entry<podlane_neighbour_key, podlane_neighbour_value>(neigh_, [&](auto &k, auto &v) {
        NeighbourEntry e;
        std::memcpy(e.mac.bytes.data(), v.mac, 6);
        e.ifindex = static_cast<int>(v.ifindex);
        out[Ipv4{k.ip}] = e;
    });
    if (!st) return st.error();
    return out;
}

Status RouterMaps::put_neighbour(Ipv4 ip, const NeighbourEntry &entry) {
    podlane_neighbour_key key{ip.be};
    podlane_neighbour_value value{};
    std::memcpy(value.mac, entry.mac.bytes.data(), 6);
    value.ifindex = static_cast<__u32>(entry.ifindex);
    if (bpf_map_update_elem(neigh_.fd(), &key, &value, BPF_ANY) != 0)
        return errno_error("update neighbour " + ip.str() + " in " + neigh_.path(), errno);
    return {};
}

Result<bool> RouterMaps::delete_neighbour(Ipv4 ip) {
    podlane_neighbour_key key{ip.be};
    if (bpf_map_delete_elem(neigh_.fd(), &key) != 0) {
        if (errno == ENOENT) return false;
        return errno_error("delete neighbour " + ip.str() + " from " + neigh_.path(), errno);
    }
    return true;
}

Result<std::map<int, RouterPort>> RouterMaps::ports() const {
    std::map<int, RouterPort> out;
    auto st = for_each_entry<podlane_router_port_key, podlane_router_port_value>(ports_, [&](auto &k, auto &v) {
        RouterPort p;
        std::memcpy(p.mac.bytes.data(), v.mac, 6);
        p.mtu = v.mtu;
        p.flags = v.flags;
        out[static_cast<int>(k.ifindex)] = p;
    });
    if (!st) return st.error();
    return out;
}

Status RouterMaps::put_port(int ifindex, const RouterPort &port) {
    __u32 index = static_cast<__u32>(ifindex);
    // Devmap first: a port with a MAC but no devmap slot would make the XDP
    // program pass (pass-no-port) instead of redirecting.
    if (bpf_map_update_elem(tx_.fd(), &index, &index, BPF_ANY) != 0)
        return errno_error("add interface #" + std::to_string(ifindex) + " to devmap " + tx_.path(), errno);
    podlane_router_port_key key{index};
    podlane_router_port_value value{};
    std::memcpy(value.mac, port.mac.bytes.data(), 6);
    value.mtu = port.mtu;
    value.flags = static_cast<__u16>(port.flags);
    if (bpf_map_update_elem(ports_.fd(), &key, &value, BPF_ANY) != 0)
        return errno_error("add interface #" + std::to_string(ifindex) + " to " + ports_.path(), errno);
    return {};
}

Status RouterMaps::delete_port(int ifindex) {
    __u32 index = static_cast<__u32>(ifindex);
    podlane_router_port_key key{index};
    if (bpf_map_delete_elem(ports_.fd(), &key) != 0 && errno != ENOENT)
        return errno_error("remove interface #" + std::to_string(ifindex) + " from " + ports_.path(), errno);
    if (bpf_map_delete_elem(tx_.fd(), &index) != 0 && errno != ENOENT)
        return errno_error("remove interface #" + std::to_string(ifindex) + " from " + tx_.path(), errno);
    return {};
}

}  // namespace podlane
