#include "monitor_event.h"

#include <arpa/inet.h>

#include "podlane/ip.h"
#include "podlane/reasons.h"

namespace podlane::ctl {
namespace {

std::string protocol_name(uint8_t p) {
    switch (p) {
        case 1:
            return "icmp";
        case 6:
            return "tcp";
        case 17:
            return "udp";
        default:
            return "ip/" + std::to_string(p);
    }
}

std::string endpoint_text(__be32 addr, __be16 port, bool with_port) {
    std::string out = Ipv4{addr}.str();
    if (with_port) out += ":" + std::to_string(ntohs(port));
    return out;
}

}  // namespace

Result<uint32_t> monitor_types(const std::string &word) {
    if (word == "drop") return uint32_t{PODLANE_MONITOR_DROP};
    if (word == "pass") return uint32_t{PODLANE_MONITOR_PASS};
    if (word == "forward") return uint32_t{PODLANE_MONITOR_FORWARD};
    if (word == "all") return uint32_t{PODLANE_MONITOR_DROP | PODLANE_MONITOR_PASS | PODLANE_MONITOR_FORWARD};
    return Error{"--type: '" + word + "' is not one of drop, pass, forward, all"};
}

std::string render_event(const podlane_event &ev, const std::string &time, const IfNames &names, Format f) {
    const ReasonInfo *info = reason_info(ev.reason);
    const std::string reason = info ? std::string(info->name) : "reason-" + std::to_string(ev.reason);
    const std::string verdict = info ? std::string(verdict_name(info->verdict)) : "unknown";
    const bool ipv4 = ev.protocol != 0 || ev.saddr != 0 || ev.daddr != 0;
    const bool ports = ev.protocol == 6 || ev.protocol == 17;
    const bool forward = info && info->verdict == Verdict::Forward;
    if (f == Format::Json) {
        nlohmann::json j = {
            {"time", time},
            {"verdict", verdict},
            {"reason", reason},
            {"ifindex", ev.ifindex},
            {"interface", interface_text(ev.ifindex, names)},
            {"bytes", ev.len},
            {"protocol", ipv4 ? nlohmann::json(protocol_name(ev.protocol)) : nlohmann::json(nullptr)},
            {"src", ipv4 ? nlohmann::json(Ipv4{ev.saddr}.str()) : nlohmann::json(nullptr)},
            {"dst", ipv4 ? nlohmann::json(Ipv4{ev.daddr}.str()) : nlohmann::json(nullptr)},
            {"srcPort", ports ? nlohmann::json(ntohs(ev.sport)) : nlohmann::json(nullptr)},
            {"dstPort", ports ? nlohmann::json(ntohs(ev.dport)) : nlohmann::json(nullptr)},
            {"nextHop", ev.next_hop ? nlohmann::json(Ipv4{ev.next_hop}.str()) : nlohmann::json(nullptr)},
            {"suppressedBefore", ev.suppressed}};
        return j.dump() + "\n";
    }
    std::string line = time + " " + reason + " " + interface_text(ev.ifindex, names) + " ";
    if (ipv4)
        line += protocol_name(ev.protocol) + " " + endpoint_text(ev.saddr, ev.sport, ports) + " -> " +
                endpoint_text(ev.daddr, ev.dport, ports);
    else
        line += "not IPv4";
    line += " " + std::to_string(ev.len) + " bytes";
    if (forward) line += ev.next_hop ? " via " + Ipv4{ev.next_hop}.str() : " into the pod";
    if (ev.suppressed) line += " (" + std::to_string(ev.suppressed) + " events before this one over the rate limit)";
    return line + "\n";
}

}  // namespace podlane::ctl
