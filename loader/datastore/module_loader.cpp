// make_source: the datastore code lives in a module (libpodlane-datastore.so)
// that podlaned loads only when --datastore names one. It pulls in libcurl,
// a TLS stack and yaml-cpp, about 5 MB of resident pages that a node reading
// its config file does not need. Programs that link the datastore library
// itself (podlane-resolve-node, the tests) call it directly.
#include <dlfcn.h>

#include <string>
#include <vector>

#include "datastore/source.h"

namespace podlane::datastore {

namespace {

// Where the module may be: $PODLANE_DATASTORE_MODULE, the install location,
// then the build tree (a podlaned run from its build folder).
std::vector<std::string> module_candidates() {
    std::vector<std::string> paths;
    if (const char *env = ::getenv("PODLANE_DATASTORE_MODULE"); env && *env) paths.emplace_back(env);
    paths.emplace_back(PODLANE_DATASTORE_MODULE_INSTALLED);
    paths.emplace_back(PODLANE_DATASTORE_MODULE_BUILT);
    return paths;
}

Result<ModuleEntry> load_module() {
    std::string tried;
    for (const auto &path : module_candidates()) {
        // Never unloaded: sources it creates live as long as the agent.
        void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char *why = ::dlerror();
            tried += "\n  " + path + ": " + (why ? why : "cannot load");
            continue;
        }
        auto entry = reinterpret_cast<ModuleEntry>(::dlsym(handle, PODLANE_DATASTORE_ENTRY));
        if (!entry) return Error{path + " has no " + PODLANE_DATASTORE_ENTRY + ": it is from another podlane version"};
        return entry;
    }
    return Error{
        "the datastore module libpodlane-datastore.so was not found (install podlane completely, or set "
        "PODLANE_DATASTORE_MODULE); tried:" +
        tried};
}

}  // namespace

Result<std::unique_ptr<ClusterSource>> make_source(const Options &options) {
    if (options.kind == Kind::File) return std::unique_ptr<ClusterSource>{};
    auto entry = load_module();
    if (!entry) return entry.error();
    std::unique_ptr<ClusterSource> source;
    std::string error;
    if (!(*entry)(&options, &source, &error)) return Error{error};
    return source;
}

}  // namespace podlane::datastore
