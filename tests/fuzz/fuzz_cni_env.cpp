// libFuzzer: the CNI_* environment is whatever the runtime (or a user) sets:
// any bytes. parse_env never crashes, and when it refuses, the plugin's
// error reply (which quotes the values) is still written.
#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "commands.h"
#include "env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // Four values separated by NUL bytes, as they arrive from the environment.
    static constexpr std::array<const char *, 4> kNames{"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"};
    std::array<std::string, 4> values;
    std::array<bool, 4> set{};
    size_t field = 0;
    for (size_t i = 0; i < size && field < values.size(); i++) {
        set[field] = true;
        if (data[i] == 0)
            field++;
        else
            values[field].push_back(static_cast<char>(data[i]));
    }
    podlane::cni::EnvLookup lookup = [&](const char *name) -> const char * {
        for (size_t i = 0; i < kNames.size(); i++)
            if (std::strcmp(name, kNames[i]) == 0) return set[i] ? values[i].c_str() : nullptr;
        return nullptr;
    };
    auto env = podlane::cni::parse_env(lookup);
    if (env) {
        // What was accepted is what the store and veth names are built from.
        if (env->container_id.size() > podlane::cni::kMaxContainerIdLength) __builtin_trap();
        return 0;
    }
    // Refused: the full plugin path stops at the same check and must still
    // print the error JSON (never reaching a command, so nothing is touched).
    std::string out, log;
    if (podlane::cni::run_plugin(lookup, "{}", out, log) == 0 || out.empty()) __builtin_trap();
    return 0;
}
