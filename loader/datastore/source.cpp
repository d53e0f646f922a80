#include "datastore/source.h"

#include "datastore/etcd_source.h"
#include "datastore/kube_source.h"

namespace podlane::datastore {

Result<std::unique_ptr<ClusterSource>> create_source(const Options &options) {
    switch (options.kind) {
        case Kind::File:
            return std::unique_ptr<ClusterSource>{};
        case Kind::Etcd: {
            auto src = EtcdSource::create(options);
            if (!src) return src.error();
            return std::unique_ptr<ClusterSource>{std::move(*src)};
        }
        case Kind::Kubernetes: {
            auto src = KubeSource::create(options);
            if (!src) return src.error();
            return std::unique_ptr<ClusterSource>{std::move(*src)};
        }
    }
    return Error{"--datastore: not supported (file, etcd, kubernetes)"};
}

}  // namespace podlane::datastore
