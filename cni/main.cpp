// The `podlane` CNI plugin: run by a container runtime with CNI_* variables
// and the network config on stdin; prints the result or the error JSON.
#include <cstdlib>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "version.h"

int main() {
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::string out, log;
    int rc = 1;
    try {
        rc = podlane::cni::run_plugin([](const char *name) { return std::getenv(name); }, input, out, log);
    } catch (const std::exception &e) {
        // Exceptions stop here: a bug or an allocation failure, still reported
        // in the spec's format.
        nlohmann::json j{{"cniVersion", podlane::cni::kLatestVersion},
                         {"code", podlane::cni::kInternal},
                         {"msg", std::string("internal error: ") + e.what()}};
        out = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        rc = 1;
    }
    std::cerr << log << std::flush;
    std::cout << out << std::flush;
    return rc;
}
