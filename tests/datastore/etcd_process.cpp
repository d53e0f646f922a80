#include "etcd_process.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "datastore/http_client.h"

namespace podlane::test {

std::string EtcdProcess::skip_reason() {
    if (find_executable("etcd").empty()) return "etcd is not installed (Debian package etcd-server)";
    return {};
}

Result<EtcdTlsFiles> make_test_certificates(const std::string &dir) {
    if (find_executable("openssl").empty()) return Error{"openssl is not installed"};
    EtcdTlsFiles f{dir + "/ca.crt", dir + "/server.crt", dir + "/server.key", dir + "/client.crt", dir + "/client.key"};
    {
        // clientAuth too: with --client-cert-auth, etcd's JSON gateway dials
        // etcd's own gRPC port presenting the server certificate.
        std::ofstream(dir + "/server.ext") << "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n";
        std::ofstream(dir + "/client.ext") << "extendedKeyUsage=clientAuth\n";
    }
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    const std::string script = "cd '" + dir +
                               "' && "
                               "openssl req -x509" +
                               ec +
                               "-keyout ca.key -out ca.crt -subj /CN=podlane-test-ca -days 2 && "
                               "openssl req" +
                               ec +
                               "-keyout server.key -out server.csr -subj /CN=etcd && "
                               "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out "
                               "server.crt -days 2 -extfile server.ext && "
                               "openssl req" +
                               ec +
                               "-keyout client.key -out client.csr -subj /CN=podlane && "
                               "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out "
                               "client.crt -days 2 -extfile client.ext";
    std::string cmd = "(" + script + ") > '" + dir + "/openssl.log' 2>&1";
    if (std::system(cmd.c_str()) != 0) return Error{"making test certificates failed; see " + dir + "/openssl.log"};
    return f;
}

Result<std::unique_ptr<EtcdProcess>> EtcdProcess::launch(std::optional<EtcdTlsFiles> tls) {
    std::unique_ptr<EtcdProcess> etcd(new EtcdProcess);
    etcd->tls_ = std::move(tls);
    etcd->binary_ = find_executable("etcd");
    if (etcd->binary_.empty()) return Error{skip_reason()};
    etcd->dir_ = make_temp_dir("etcd");
    if (etcd->dir_.empty()) return errno_error("mkdtemp", errno);
    // A port taken between probe and bind makes etcd exit: pick others.
    std::string failures;
    for (int attempt = 0; attempt < 3; ++attempt) {
        etcd->client_port_ = free_local_port();
        etcd->peer_port_ = free_local_port();
        auto st = etcd->start();
        if (st) return etcd;
        failures += st.error().message + "; ";
        etcd->stop(9);
        std::filesystem::remove_all(etcd->dir_ + "/data");
    }
    return Error{"etcd did not start: " + failures};
}

EtcdProcess::~EtcdProcess() {
    stop(9);
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

Status EtcdProcess::start() {
    std::string client = endpoint();
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    std::vector<std::string> argv{binary_,
                                  "--name",
                                  "default",
                                  "--data-dir",
                                  dir_ + "/data",
                                  "--listen-client-urls",
                                  client,
                                  "--advertise-client-urls",
                                  client,
                                  "--listen-peer-urls",
                                  peer,
                                  "--initial-advertise-peer-urls",
                                  peer,
                                  "--initial-cluster",
                                  "default=" + peer,
                                  "--log-level",
                                  "warn"};
    datastore::TlsOptions client_tls;
    if (tls_) {
        for (const auto &a : {"--cert-file=" + tls_->server_cert, "--key-file=" + tls_->server_key,
                              "--trusted-ca-file=" + tls_->ca, std::string("--client-cert-auth")})
            argv.push_back(a);
        client_tls.ca_file = tls_->ca;
        client_tls.cert_file = tls_->client_cert;
        client_tls.key_file = tls_->client_key;
    }
    auto child = ChildProcess::spawn(argv, log_path());
    if (!child) return child.error();
    process_ = std::move(*child);

    datastore::HttpClient http(client_tls);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    std::string last = "no answer";
    while (std::chrono::steady_clock::now() < deadline) {
        if (process_.exited()) return Error{"etcd exited at start-up; see " + log_path()};
        auto resp =
            http.send({.method = "GET", .url = client + "/health", .body = {}, .headers = {}, .timeout_ms = 2000});
        if (resp && resp->status == 200 && resp->body.find("true") != std::string::npos) return {};
        last = resp ? resp->body : resp.error().message;
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return Error{"etcd not healthy after 30 s (" + last + "); see " + log_path()};
}

void EtcdProcess::stop(int kill_signal) {
    process_.kill_and_wait(kill_signal);
}

}  // namespace podlane::test
