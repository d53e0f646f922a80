#include "host_setup.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "podlane/pod_gateway.h"
#include "podlane/sysctl.h"
#include "podlane/unique_fd.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

namespace podlane {

std::string strict_rp_filter_warning(const std::string &uplink) {
    // The kernel applies the larger of "all" and the interface's value.
    int all = read_sysctl_int("/proc/sys/net/ipv4/conf/all/rp_filter");
    int dev = read_sysctl_int("/proc/sys/net/ipv4/conf/" + uplink + "/rp_filter");
    if (std::max(all, dev) != 1) return "";
    return "strict reverse-path filtering (rp_filter=1) on " + uplink +
           ": the node's only route to other nodes' pods is the cluster route through " + kHostDevice +
           ", so the kernel drops the new flows (and ICMP) from those pods that netfilter-compatible mode hands it; "
           "set net.ipv4.conf.all.rp_filter and net.ipv4.conf." +
           uplink + ".rp_filter to 2 (loose) or 0";
}

Status ensure_bpffs() {
    struct statfs fs {};
    if (statfs("/sys/fs/bpf", &fs) == 0 && static_cast<unsigned long>(fs.f_type) == BPF_FS_MAGIC) return {};
    ::mkdir("/sys/fs/bpf", 0700);
    if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") != 0)
        return errno_error(
            "mount bpffs at /sys/fs/bpf (needed to pin maps so traffic survives agent restarts; "
            "in the DaemonSet the host-setup step mounts it)",
            errno);
    return {};
}

Result<NodeDevices> setup_node_devices(Netlink &nl, const NodeConfig &cfg) {
    NodeDevices dev;
    auto uplink = nl.find_link(cfg.uplink);
    if (!uplink) return uplink.error();
    if (!*uplink)
        return Error{"uplink: interface '" + cfg.uplink +
                         "' does not exist in this network namespace (check `uplink` in the config)",
                     ENODEV};
    dev.uplink = **uplink;

    // podlaned owns the bridge: the plugin's call of the same function on ADD
    // then finds it as set up here.
    auto bridge = ensure_pod_gateway(nl, cfg.bridge, cfg.gateway_addresses());
    if (!bridge) return bridge.error();
    dev.bridge = *bridge;

    auto host = nl.find_link(kHostDevice);
    if (!host) return host.error();
    if (!*host) {
        if (auto st = nl.create_veth(kHostDevice, kHostDevicePeer, -1, dev.uplink.mtu);
            !st && st.error().errnum != EEXIST)
            return st.error();
        host = nl.find_link(kHostDevice);
        if (!host) return host.error();
        if (!*host) return Error{std::string("host device ") + kHostDevice + " vanished after creation"};
    }
    dev.hostdev = **host;
    // The neighbour of the aggregate route never needs resolving: the program
    // on egress picks the real next hop.
    if (auto st = nl.set_noarp(dev.hostdev.index); !st) return st.error();
    if (dev.hostdev.mtu != dev.uplink.mtu)
        if (auto st = nl.set_mtu(dev.hostdev.index, dev.uplink.mtu); !st) return st.error();
    if (auto st = nl.set_up(dev.hostdev.index); !st) return st.error();
    if (auto peer = nl.find_link(kHostDevicePeer); peer && *peer)
        if (auto st = nl.set_up((*peer)->index); !st) return st.error();
    if (cfg.has_ipv4())
        if (auto st = nl.replace_route({cfg.cluster_cidr, std::nullopt, dev.hostdev.index, cfg.node_ip}); !st)
            return st.error().wrap("cluster route via " + std::string(kHostDevice));

    // Written only when needed: in the DaemonSet an init container sets it,
    // and the agent's own /proc/sys is read-only (it is not privileged).
    if (read_sysctl_int("/proc/sys/net/ipv4/ip_forward") != 1)
        if (auto st = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1"); !st)
            return st.error().wrap("set net.ipv4.ip_forward=1 on the node (the DaemonSet's host-setup step does)");
    if (auto st = setup_ipv6(nl, cfg, dev); !st) return st.error();
    return dev;
}

Status setup_ipv6(Netlink &nl, const NodeConfig &cfg, const NodeDevices &dev) {
    if (!cfg.pod_cidr6 || !cfg.node_ip6 || !cfg.cluster_cidr6) return {};
    // The kernel path of IPv6 (hop limit exceeded, packet too big, new flows
    // in netfilter-compatible mode) routes only with forwarding on.
    if (read_sysctl_int("/proc/sys/net/ipv6/conf/all/forwarding") != 1)
        if (auto st = write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1"); !st)
            return st.error().wrap("set net.ipv6.conf.all.forwarding=1 on the node (dual-stack)");
    if (auto st = nl.replace_route6(*cfg.cluster_cidr6, dev.hostdev.index, std::nullopt, cfg.node_ip6); !st)
        return st.error().wrap("IPv6 cluster route via " + std::string(kHostDevice));
    return {};
}

std::string accept_ra_warning(const std::string &uplink) {
    // Forwarding on stops the kernel taking router advertisements unless
    // accept_ra is 2: an uplink configured by SLAAC would lose its default
    // route when its lifetime runs out.
    if (read_sysctl_int("/proc/sys/net/ipv6/conf/" + uplink + "/accept_ra") != 1) return "";
    return "IPv6 forwarding is on, so " + uplink +
           " no longer accepts router advertisements (accept_ra=1): if its IPv6 address or default route comes from "
           "SLAAC, set net.ipv6.conf." +
           uplink + ".accept_ra=2";
}

Status remove_host_device(Netlink &nl) {
    return nl.delete_link(kHostDevice);
}

}  // namespace podlane
