// The fake Kubernetes API server (fake_kube_apiserver.py) as a test object:
// started on 127.0.0.1, driven through its /_control endpoints, killed by
// PID when the test ends.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "child_process.h"
#include "datastore/http_client.h"
#include "podlane/result.h"

namespace podlane::test {

class FakeKubeApi {
public:
    static std::string skip_reason();  // "" when python3 is there
    // With cert_file and key_file the server speaks HTTPS only.
    static Result<std::unique_ptr<FakeKubeApi>> launch(const std::string &token = "test-token",
                                                       const std::string &cert_file = "",
                                                       const std::string &key_file = "");
    ~FakeKubeApi();

    std::string server() const {
        return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_);
    }
    // A kubeconfig (YAML) for this server with `token`, in the temp dir;
    // ca_pem, when given, goes in as certificate-authority-data.
    std::string write_kubeconfig(const std::string &token, const std::string &ca_pem = "") const;

    Status upsert(const std::string &name, const std::string &ip, const std::string &cidr);  // cidr "": none yet
    // A dual-stack Node: also an IPv6 InternalIP and an IPv6 entry in spec.podCIDRs.
    Status upsert_dual(const std::string &name, const std::string &ip, const std::string &cidr, const std::string &ip6,
                       const std::string &cidr6);
    Status remove(const std::string &name);
    Status control(const std::string &what, const nlohmann::json &body = nlohmann::json::object());
    nlohmann::json requests() const;
    // The Node object as the server holds it now (null when there is none).
    nlohmann::json node(const std::string &name) const;
    // status.conditions[type].status of a node ("" when absent).
    std::string condition(const std::string &name, const std::string &type) const;
    // How many requests were lists (not watches) / watches of the node collection.
    int count_lists() const;
    int count_watches() const;
    void kill() { process_.kill_and_wait(9); }

private:
    FakeKubeApi() = default;
    // The test's own control requests do not check the server certificate.
    datastore::TlsOptions control_tls() const {
        datastore::TlsOptions tls;
        tls.insecure_skip_verify = tls_;
        return tls;
    }
    std::string dir_;
    int port_ = 0;
    bool tls_ = false;
    ChildProcess process_;
};

}  // namespace podlane::test
