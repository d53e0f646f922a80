#include "datastore/source.h"

#include "datastore/etcd_source.h"
#include "datastore/kube_source.h"

namespace podlane::datastore {

Result<std::unique_ptr<ClusterSource>> create_source(const Options &options) {
    if (options.kind == "file") return std::unique_ptr<ClusterSource>{};
    if (options.kind == "etcd") {
        auto src = EtcdSource::create(options);
        if (!src) return src.error();
        return std::unique_ptr<ClusterSource>{std::move(*src)};
    }
    if (options.kind == "kubernetes") {
        auto src = KubeSource::create(options);
        if (!src) return src.error();
        return std::unique_ptr<ClusterSource>{std::move(*src)};
    }
    return Error{"--datastore " + options.kind + ": not supported (file, etcd, kubernetes)"};
}

}  // namespace podlane::datastore
