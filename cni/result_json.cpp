#include "result_json.h"

#include "version.h"

namespace podlane::cni {

using nlohmann::json;

json to_json(const AddResult &r, const std::string &cni_version, const json &prev_result) {
    json out = prev_result.is_object() ? prev_result : json::object();
    out["cniVersion"] = cni_version;
    json &interfaces = out["interfaces"];
    if (!interfaces.is_array()) interfaces = json::array();
    size_t base = interfaces.size();
    for (const auto &i : r.interfaces) {
        json j{{"name", i.name}, {"mac", i.mac.str()}};
        if (!i.sandbox.empty()) j["sandbox"] = i.sandbox;
        interfaces.push_back(j);
    }
    json &ips = out["ips"];
    if (!ips.is_array()) ips = json::array();
    json &routes = out["routes"];
    if (!routes.is_array()) routes = json::array();
    if (r.address) {
        json ip{{"address", r.address->str()}, {"interface", static_cast<int>(base + r.interfaces.size() - 1)}};
        if (r.gateway) ip["gateway"] = r.gateway->str();
        if (compare_versions(cni_version, "1.0.0") < 0) ip["version"] = "4";
        ips.push_back(ip);
        json route{{"dst", "0.0.0.0/0"}};
        if (r.gateway) route["gw"] = r.gateway->str();
        routes.push_back(route);
    }
    if (r.address6) {
        json ip6{{"address", r.address6->address.str() + "/" + std::to_string(r.address6->prefix_length)},
                 {"gateway", r.address6->gateway.str()},
                 {"interface", static_cast<int>(base + r.interfaces.size() - 1)}};
        if (compare_versions(cni_version, "1.0.0") < 0) ip6["version"] = "6";
        ips.push_back(ip6);
        routes.push_back({{"dst", "::/0"}, {"gw", r.address6->gateway.str()}});
    }
    if (!r.dns.is_null()) out["dns"] = r.dns;
    return out;
}

namespace {

// IPv6 routes (an earlier plugin's) are not podlane's to check.
Result<std::vector<ExpectedRoute>> expected_routes(const json &prev) {
    std::vector<ExpectedRoute> out;
    if (!prev.contains("routes")) return out;
    const json &routes = prev["routes"];
    if (!routes.is_array()) return Error{"routes must be an array"};
    for (const auto &r : routes) {
        if (!r.is_object() || !r.contains("dst") || !r["dst"].is_string()) return Error{"every route needs a dst"};
        const std::string dst = r["dst"].get<std::string>();
        if (dst.find(':') != std::string::npos) continue;
        auto cidr = Cidr::parse_interface(dst);
        if (!cidr) return Error{"route " + cidr.error().message};
        ExpectedRoute route{Cidr{cidr->network(), cidr->length}, std::nullopt};
        if (r.contains("gw") && r["gw"].is_string()) {
            auto gw = Ipv4::parse(r["gw"].get<std::string>());
            if (!gw) return Error{"route to " + dst + ": " + gw.error().message};
            route.gateway = *gw;
        }
        out.push_back(route);
    }
    return out;
}

}  // namespace

CniResult<ExpectedPod> expected_from_prev_result(const json &prev, const std::string &ifname) {
    auto bad = [](const std::string &why) {
        return CniError{kInvalidConfig, "invalid network config: prevResult: " + why, ""};
    };
    if (!prev.is_object()) return bad("missing; CHECK needs the result of the ADD");
    const json &interfaces = prev.contains("interfaces") ? prev["interfaces"] : json::array();
    const json &ips = prev.contains("ips") ? prev["ips"] : json::array();
    if (!interfaces.is_array() || !ips.is_array()) return bad("interfaces and ips must be arrays");
    ExpectedPod pod;
    for (const auto &ip : ips) {
        if (!ip.is_object() || !ip.contains("address") || !ip["address"].is_string())
            return bad("every ip needs an address");
        if (!ip.contains("interface") || !ip["interface"].is_number_integer()) continue;
        auto index = ip["interface"].get<long long>();
        if (index < 0 || static_cast<size_t>(index) >= interfaces.size())
            return bad("ip names interface " + std::to_string(index) + ", which does not exist");
        const json &iface = interfaces[index];
        if (!iface.is_object()) return bad("interface " + std::to_string(index) + " is not an object");
        // value() would throw on a name that is not a string.
        if (!iface.contains("name") || !iface["name"].is_string())
            return bad("interface " + std::to_string(index) + " needs a string name");
        if (iface["name"].get<std::string>() != ifname || !iface.contains("sandbox")) continue;
        const std::string text = ip["address"].get<std::string>();
        const bool has_gateway = ip.contains("gateway") && ip["gateway"].is_string();
        if (text.find(':') != std::string::npos) {
            // The first IPv6 address of the interface (ours).
            if (pod.address6) continue;
            auto addr = Cidr6::parse_interface(text);
            if (!addr) return bad(addr.error().message);
            pod.address6 = addr->prefix;
            if (has_gateway) {
                auto gw = Ipv6::parse(ip["gateway"].get<std::string>());
                if (!gw) return bad(gw.error().message);
                pod.gateway6 = *gw;
            }
        } else {
            if (pod.address) continue;
            auto addr = Cidr::parse_interface(text);
            if (!addr) return bad(addr.error().message);
            pod.address = *addr;
            if (has_gateway) {
                auto gw = Ipv4::parse(ip["gateway"].get<std::string>());
                if (!gw) return bad(gw.error().message);
                pod.gateway = *gw;
            }
        }
        if (!pod.mac && iface.contains("mac") && iface["mac"].is_string())
            if (auto mac = Mac::parse(iface["mac"].get<std::string>())) pod.mac = *mac;
    }
    if (!pod.address && !pod.address6) return bad("has no address for container interface " + ifname);
    auto routes = expected_routes(prev);
    if (!routes) return bad(routes.error().message);
    pod.routes = std::move(*routes);
    return pod;
}

}  // namespace podlane::cni
