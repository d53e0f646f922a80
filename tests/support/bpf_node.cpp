#include "bpf_node.h"

#include <bpf/bpf.h>
#include <linux/pkt_cls.h>

#include <cstring>

#include "podlane/netlink.h"
#include "privileges.h"

namespace podlane::test {
namespace {

// The whole test process moves into one private namespace, once.
std::string ensure_private_netns() {
    static std::string result = enter_private_netns();
    return result;
}

Result<int> make_link(Netlink &nl, const std::string &name, unsigned mtu) {
    if (auto st = nl.create_veth(name, name + "p", -1, mtu); !st && st.error().errnum != EEXIST) return st.error();
    auto link = nl.link(name);
    if (!link) return link.error();
    if (auto st = nl.set_up(link->index); !st) return st.error();
    return link->index;
}

}  // namespace

std::string BpfTestNode::create(std::unique_ptr<BpfTestNode> &out, const std::string &name, DatapathOptions options) {
    if (auto why = privileged_skip_reason(); !why.empty()) return why;
    if (auto why = ensure_private_netns(); !why.empty()) return why;
    if (auto why = ensure_bpffs(); !why.empty()) return why;

    std::unique_ptr<BpfTestNode> node(new BpfTestNode);
    node->pin_dir_ = make_test_pin_dir(name);
    auto dp = Datapath::load(node->pin_dir_, options);
    if (!dp) return "load dataplane: " + dp.error().message;
    node->dp_ = std::make_unique<Datapath>(std::move(*dp));
    auto maps = NodeMaps::open(node->pin_dir_);
    if (!maps) return maps.error().message;
    node->maps_ = std::make_unique<NodeMaps>(std::move(*maps));

    auto nl = Netlink::open();
    if (!nl) return nl.error().message;
    auto up = make_link(*nl, "tup1500", 1500);
    if (!up) return up.error().message;
    auto jumbo = make_link(*nl, "tup9000", 9000);
    if (!jumbo) return jumbo.error().message;
    node->uplink_ifindex_ = *up;
    node->jumbo_ifindex_ = *jumbo;
    out = std::move(node);
    return "";
}

BpfTestNode::~BpfTestNode() {
    maps_.reset();
    dp_.reset();
    remove_pin_dir(pin_dir_);
}

void BpfTestNode::clear_maps() {
    if (auto routes = maps_->routes(); routes)
        for (const auto &r : *routes) (void)maps_->delete_route(r.cidr);
    if (auto eps = maps_->endpoints(); eps)
        for (const auto &e : *eps) (void)maps_->delete_endpoint(e.pod_ip);
    if (auto routes = maps_->routes6(); routes)
        for (const auto &r : *routes) (void)maps_->delete_route6(r.cidr);
    if (auto eps = maps_->endpoints6(); eps)
        for (const auto &e : *eps) (void)maps_->delete_endpoint6(e.pod_ip);
    (void)maps_->set_config6(podlane_node_config6{});
    if (auto exempt = maps_->source_exemptions(); exempt)
        for (const auto &e : *exempt) (void)maps_->delete_source_exemption(e.key.ifindex, e.key.mac);
    (void)maps_->set_config(podlane_node_config{});
}

void BpfTestNode::seed_standard_node() {
    clear_maps();
    podlane_node_config cfg = standard_node_config(uplink_ifindex_);
    std::memcpy(cfg.gateway_mac, kStdGatewayMac, 6);
    (void)maps_->set_config(cfg);

    auto route = [&](const char *cidr, const char *via, int ifindex, uint32_t flags) {
        podlane_route_value v{Ipv4::parse(via)->be, static_cast<__u32>(ifindex), flags, PODLANE_FAMILY_IPV4};
        (void)maps_->put_route(*Cidr::parse(cidr), v);
    };
    route("10.244.1.0/24", "192.160.1.11", uplink_ifindex_, PODLANE_ROUTE_F_LOCAL);
    route("10.244.2.0/24", "192.160.1.12", uplink_ifindex_, 0);
    route("10.244.3.0/24", "192.160.1.13", jumbo_ifindex_, 0);

    podlane_endpoint_value ep{};
    ep.host_ifindex = kStdPodHostIfindex;
    std::memcpy(ep.pod_mac, kStdPodMac, 6);
    std::memcpy(ep.host_mac, kStdHostMac, 6);
    (void)maps_->put_endpoint(*Ipv4::parse("10.244.1.10"), ep);
}

void BpfTestNode::seed_standard_node6() {
    (void)maps_->set_config6(standard_node_config6());
    auto route = [&](const char *cidr, const char *via, int ifindex, uint32_t flags) {
        podlane_route6_value v{};
        v.node_ip = to_in6(*Ipv6::parse(via));
        v.uplink_ifindex = static_cast<__u32>(ifindex);
        v.flags = flags;
        (void)maps_->put_route6(*Cidr6::parse(cidr), v);
    };
    route("fd00:10:244:1::/64", "fd00:192:160:1::11", uplink_ifindex_, PODLANE_ROUTE_F_LOCAL);
    route("fd00:10:244:2::/64", "fd00:192:160:1::12", uplink_ifindex_, 0);
    route("fd00:10:244:3::/64", "fd00:192:160:1::13", jumbo_ifindex_, 0);

    podlane_endpoint_value ep{};
    ep.host_ifindex = kStdPodHostIfindex;
    std::memcpy(ep.pod_mac, kStdPodMac, 6);
    std::memcpy(ep.host_mac, kStdHostMac, 6);
    (void)maps_->put_endpoint6(*Ipv6::parse("fd00:10:244:1::a"), ep);
}

RunResult BpfTestNode::run(int prog_fd, const std::vector<uint8_t> &frame, uint32_t repeat, uint32_t ingress_ifindex) {
    RunOptions options;
    options.repeat = repeat;
    options.tc_ingress_ifindex = ingress_ifindex;
    return run_program(prog_fd, frame, options);
}

std::vector<podlane_stat_value> BpfTestNode::stats() {
    auto s = maps_->stats();
    return s ? *s : std::vector<podlane_stat_value>(PODLANE_REASON_MAX);
}

}  // namespace podlane::test
