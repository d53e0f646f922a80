// libFuzzer: JsonObjectSplitter finds the same objects whatever the chunk
// boundaries, each one balanced from '{' to '}', and never buffers past its
// cap.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "datastore/http_client.h"

using podlane::datastore::JsonObjectSplitter;

namespace {

struct Run {
    std::vector<std::string> objects;
    bool failed = false;
};

Run split(const std::string &text, size_t chunk, size_t cap) {
    JsonObjectSplitter splitter(cap);
    Run run;
    for (size_t at = 0; at < text.size() && !run.failed; at += chunk)
        run.failed = !splitter.feed(std::string_view(text).substr(at, chunk), [&](std::string_view o) {
            run.objects.emplace_back(o);
            return true;
        });
    if (run.failed != splitter.error().has_value()) std::abort();
    return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const size_t chunk = 1 + data[0] % 64;
    const size_t cap = 16 + data[1] * 4;
    std::string text(reinterpret_cast<const char *>(data + 2), size - 2);
    Run whole = split(text, text.size() + 1, cap), pieces = split(text, chunk, cap);
    for (const auto &o : whole.objects) {
        if (o.front() != '{' || o.back() != '}') std::abort();
        if (o.size() > cap) std::abort();
    }
    // Chunking changes nothing while no object was too large.
    if (!whole.failed && !pieces.failed && whole.objects != pieces.objects) std::abort();
    return 0;
}
