#include "etcd_process.h"

#include <filesystem>
#include <thread>

#include "datastore/http_client.h"

namespace podlane::test {

std::string EtcdProcess::skip_reason()
{
    if (find_executable("etcd").empty()) return "etcd is not installed (Debian package etcd-server)";
    return {};
}

Result<std::unique_ptr<EtcdProcess>> EtcdProcess::launch()
{
    std::unique_ptr<EtcdProcess> etcd(new EtcdProcess);
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

EtcdProcess::~EtcdProcess()
{
    stop(9);
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

Status EtcdProcess::start()
{
    std::string client = "http://127.0.0.1:" + std::to_string(client_port_);
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    auto child = ChildProcess::spawn({binary_, "--name", "default", "--data-dir", dir_ + "/data", "--listen-client-urls",
                                      client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                                      "--initial-advertise-peer-urls", peer, "--initial-cluster", "default=" + peer,
                                      "--log-level", "warn"},
                                     log_path());
    if (!child) return child.error();
    process_ = std::move(*child);

    datastore::HttpClient http;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    std::string last = "no answer";
    while (std::chrono::steady_clock::now() < deadline) {
        if (process_.exited()) return Error{"etcd exited at start-up; see " + log_path()};
        auto resp = http.send({.method = "GET", .url = client + "/health", .body = {}, .headers = {}, .timeout_ms = 2000});
        if (resp && resp->status == 200 && resp->body.find("true") != std::string::npos) return {};
        last = resp ? resp->body : resp.error().message;
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return Error{"etcd not healthy after 30 s (" + last + "); see " + log_path()};
}

void EtcdProcess::stop(int kill_signal) { process_.kill_and_wait(kill_signal); }

}  // namespace podlane::test
