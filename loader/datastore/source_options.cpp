// The datastore's command-line options: part of podlaned itself, which
// loads the datastore code (libcurl, TLS, yaml-cpp) only when one is chosen.
#include <CLI/CLI.hpp>

#include "cli_words.h"
#include "datastore/source.h"

namespace podlane::datastore {

void add_cli_options(CLI::App &app, Options &options) {
    app.add_option("--datastore", options.kind,
                   "Where the cluster's nodes come from: file (the config's nodes list), etcd, kubernetes")
        ->transform(one_of(kKindWords));
    app.add_option("--etcd-endpoints", options.etcd_endpoints,
                   "etcd client URLs, comma-separated (http://10.0.0.1:2379)")
        ->delimiter(',');
    app.add_option("--etcd-prefix", options.etcd_prefix, "Key prefix of podlane's keys in etcd");
    app.add_option("--etcd-cacert", options.etcd_ca, "CA bundle that signed etcd's server certificate")
        ->check(CLI::ExistingFile);
    app.add_option("--etcd-cert", options.etcd_cert, "Client certificate for etcd (PEM)")->check(CLI::ExistingFile);
    app.add_option("--etcd-key", options.etcd_key, "Client key for etcd (PEM)")->check(CLI::ExistingFile);
    app.add_option("--etcd-lease-ttl", options.etcd_lease_ttl_s,
                   "Seconds after which a node that stopped renewing its registration leaves the cluster")
        ->check(CLI::Range(2, 3600));
    app.add_option("--pod-cidr-size", options.pod_cidr_length,
                   "Prefix length of the pod CIDR a node claims from clusterCIDR when its config has none (etcd)")
        ->check(CLI::Range(8, 30));
    app.add_option("--kubeconfig", options.kubeconfig,
                   "kubeconfig for --datastore kubernetes (default: the pod's in-cluster service account)")
        ->check(CLI::ExistingFile);
    app.add_option("--datastore-timeout", options.startup_timeout_s,
                   "Seconds to wait at start-up for the datastore to answer")
        ->check(CLI::Range(1, 3600));
}

}  // namespace podlane::datastore
