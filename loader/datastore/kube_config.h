// How to reach the Kubernetes API: the pod's service account (in-cluster) or
// a kubeconfig file (its current context).
#pragma once

#include <string>

#include "datastore/http_client.h"
#include "podlane/result.h"

namespace podlane::datastore {

struct KubeEndpoint {
    std::string server;  // https://10.96.0.1:443, no trailing slash
    TlsOptions tls;
    std::string token;       // static bearer token, or
    std::string token_file;  // re-read per connection: service account tokens rotate

    Result<std::string> bearer_token() const;
};

// KUBERNETES_SERVICE_HOST/PORT and the mounted service account.
Result<KubeEndpoint> in_cluster_config(
    const std::string &account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// The current context of a kubeconfig (YAML or JSON): server (http:// or
// https:// only), CA, client certificate/key or token (inline *-data or
// files relative to the file). Never throws: a malformed file is an error.
Result<KubeEndpoint> load_kubeconfig(const std::string &path);

// The same from the file's text; relative file names are taken from
// base_dir, errors start with `what`.
Result<KubeEndpoint> parse_kubeconfig(const std::string &text, const std::string &base_dir, const std::string &what);

}  // namespace podlane::datastore
