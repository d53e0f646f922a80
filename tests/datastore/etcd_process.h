// A real etcd (Debian etcd-server) for one test: 127.0.0.1 only, free ports,
// a temporary data dir; stopped by PID and the dir removed when it goes.
// stop()/start() keep dir and ports, to restart it under a watching client.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "child_process.h"
#include "podlane/result.h"

namespace podlane::test {

// Certificates for an etcd that speaks TLS only and wants client certs.
struct EtcdTlsFiles {
    std::string ca, server_cert, server_key, client_cert, client_key;
};

// Makes a throwaway CA, a server certificate for 127.0.0.1 and a client
// certificate in `dir` with openssl; Error when openssl is missing or fails.
Result<EtcdTlsFiles> make_test_certificates(const std::string &dir);

class EtcdProcess {
public:
    // "" when etcd is installed, else why the test must skip.
    static std::string skip_reason();
    static Result<std::unique_ptr<EtcdProcess>> launch(std::optional<EtcdTlsFiles> tls = std::nullopt);
    ~EtcdProcess();

    std::string endpoint() const {
        return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(client_port_);
    }
    // Starts (again) with the same data dir and ports; waits until healthy.
    Status start();
    // kill_signal 9: a crash; 15: a clean stop.
    void stop(int kill_signal = 15);
    std::string log_path() const { return dir_ + "/etcd.log"; }

private:
    EtcdProcess() = default;
    std::string binary_, dir_;
    std::optional<EtcdTlsFiles> tls_;
    int client_port_ = 0, peer_port_ = 0;
    ChildProcess process_;
};

}  // namespace podlane::test
