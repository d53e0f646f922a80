// libFuzzer: a kubeconfig from bytes. yaml-cpp throws on malformed input and
// on values of another kind than asked: none of it may escape (it would end
// podlaned), and an accepted config has an http(s) server.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "datastore/kube_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    auto ep = podlane::datastore::parse_kubeconfig(text, "/nonexistent", "kubeconfig (fuzz)");
    if (ep && ep->server.rfind("http://", 0) != 0 && ep->server.rfind("https://", 0) != 0) std::abort();
    return 0;
}
