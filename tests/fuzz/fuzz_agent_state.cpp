// libFuzzer: agent.json as podlanectl reads it (any process that can write
// the run directory could have written it).
#include <cstdint>
#include <string>

#include "podlane/agent_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    (void)podlane::parse_agent_state(text);
    return 0;
}
