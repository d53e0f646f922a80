// libFuzzer: prevResult comes from the runtime (another plugin's result, or
// anything in a hand-written config). CHECK's reading of it and ADD's
// extension of it never crash nor throw.
#include <cstdint>
#include <string>

#include "result_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    nlohmann::json prev = nlohmann::json::parse(data, data + size, nullptr, false);
    if (prev.is_discarded()) return 0;
    (void)podlane::cni::expected_from_prev_result(prev, "eth0");
    podlane::cni::AddResult result;
    result.interfaces = {{"podlane0", {}, ""}, {"pl0", {}, ""}, {"eth0", {}, "/run/netns/p"}};
    result.address = *podlane::Cidr::parse_interface("10.244.3.5/24");
    result.gateway = *podlane::Ipv4::parse("10.244.3.1");
    for (const char *version : {"0.3.1", "1.0.0"}) {
        nlohmann::json out = podlane::cni::to_json(result, version, prev);
        (void)out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return 0;
}
