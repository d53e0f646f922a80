// libFuzzer: the node file parser (podlaned's config, the CNI plugin's
// nodeConfig) never crashes and never accepts an inconsistent config.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "podlane/node_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    for (bool required : {true, false}) {
        auto cfg = podlane::parse_node_config(text, {.pod_cidr_required = required});
        if (!cfg) continue;
        if (cfg->node_name.empty() || cfg->uplink.empty()) std::abort();
        if (podlane::has_pod_cidr(*cfg) && !cfg->cluster_cidr.contains(cfg->pod_cidr)) std::abort();
        for (size_t i = 0; i < cfg->nodes.size(); i++)
            for (size_t j = i + 1; j < cfg->nodes.size(); j++)
                if (cfg->nodes[i].pod_cidr.overlaps(cfg->nodes[j].pod_cidr)) std::abort();
    }
    return 0;
}
