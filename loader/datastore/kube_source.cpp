#include "datastore/kube_source.h"

namespace podlane::datastore {

Result<std::unique_ptr<KubeSource>> KubeSource::create(const Options &) { return Error{"--datastore kubernetes: not yet"}; }

}  // namespace podlane::datastore
