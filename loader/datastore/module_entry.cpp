// Entry point of libpodlane-datastore.so, the module podlaned loads for
// --datastore etcd|kubernetes.
#include "datastore/source.h"

extern "C" __attribute__((visibility("default"))) bool podlane_datastore_create_v4(
    const podlane::datastore::Options *options, std::unique_ptr<podlane::datastore::ClusterSource> *source,
    std::string *error) {
    auto created = podlane::datastore::create_source(*options);
    if (!created) {
        *error = created.error().message;
        return false;
    }
    *source = std::move(*created);
    return true;
}
