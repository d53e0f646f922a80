// The fake Kubernetes API server (fake_kube_apiserver.py) as a test object:
// started on 127.0.0.1, driven through its /_control endpoints, killed by
// PID when the test ends.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "child_process.h"
#include "podlane/result.h"

namespace podlane::test {

class FakeKubeApi {
public:
    static std::string skip_reason();  // "" when python3 is there
    static Result<std::unique_ptr<FakeKubeApi>> launch(const std::string &token = "test-token");
    ~FakeKubeApi();

    std::string server() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // A kubeconfig (YAML) for this server with `token`, in the temp dir.
    std::string write_kubeconfig(const std::string &token) const;

    Status upsert(const std::string &name, const std::string &ip, const std::string &cidr);  // cidr "": none yet
    Status remove(const std::string &name);
    Status control(const std::string &what, const nlohmann::json &body = nlohmann::json::object());
    nlohmann::json requests() const;
    // How many requests were lists (not watches) / watches of the node collection.
    int count_lists() const;
    int count_watches() const;
    void kill() { process_.kill_and_wait(9); }

private:
    FakeKubeApi() = default;
    std::string dir_;
    int port_ = 0;
    ChildProcess process_;
};

}  // namespace podlane::test
