// Cluster membership from the Kubernetes API (the kubelet mode): list and
// watch Node objects.
#pragma once

#include <memory>

#include "datastore/source.h"

namespace podlane::datastore {

class KubeSource : public ClusterSource {
public:
    static Result<std::unique_ptr<KubeSource>> create(const Options &options);
};

}  // namespace podlane::datastore
