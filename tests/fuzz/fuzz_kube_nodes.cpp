// libFuzzer: Kubernetes Node objects and watch events, as the watch reads
// them (split from the stream, parsed, turned into a node), never crash and
// never yield a node without a name or with a pod CIDR that is not one.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "datastore/http_client.h"
#include "datastore/kube_nodes.h"

using namespace podlane;
using namespace podlane::datastore;

namespace {

void check_node(const nlohmann::json &object) {
    auto node = cluster_node_from_object(object);
    (void)resource_version_of(object);
    (void)name_of(object);
    if (!node) return;
    if (node->name.empty()) std::abort();
    if (node->pod_cidr.network() != node->pod_cidr.prefix) std::abort();  // host bits are refused
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    // The whole input as one object (a GET of one Node, a list's item).
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_discarded()) check_node(doc);
    // The input as a watch stream of {"type", "object"} events.
    JsonObjectSplitter splitter(4096);
    splitter.feed(text, [](std::string_view event) {
        auto ev = nlohmann::json::parse(event, nullptr, false);
        if (ev.is_discarded() || !ev.is_object()) return true;
        auto it = ev.find("object");
        if (it != ev.end()) check_node(*it);
        return true;
    });
    return 0;
}
