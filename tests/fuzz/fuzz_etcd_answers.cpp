// libFuzzer: what etcd (or anything posing as it) answers: range answers,
// base64 and the pod CIDR claim keys. No crash; whatever is accepted is
// consistent.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "datastore/base64.h"
#include "datastore/cidr_allocator.h"
#include "datastore/etcd_client.h"

using namespace podlane;
using namespace podlane::datastore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);

    auto range = parse_range_answer(text, "fuzz");
    if (range) {
        if (range->revision <= 0) std::abort();  // no revision is no answer
        for (const auto &kv : range->kvs)
            if (kv.key.empty()) std::abort();
    }
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_discarded())
        if (auto kv = parse_kv(doc); kv && kv->key.empty()) std::abort();

    if (base64_decode(base64_encode(text)).value() != text) std::abort();
    (void)base64_decode(text);

    if (auto cidr = cidr_from_key(text)) {
        auto again = cidr_from_key(cidr_key(*cidr));
        if (!again || !(*again == *cidr)) std::abort();
    }
    return 0;
}
