#include "fake_kube_api.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "datastore/base64.h"
#include "datastore/http_client.h"

#ifndef PODLANE_SOURCE_DIR
#error "PODLANE_SOURCE_DIR must be defined"
#endif

namespace podlane::test {
namespace {

std::string python() {
    // Debian's own first: the stdlib is all the fake needs.
    if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
    return find_executable("python3");
}

}  // namespace

std::string FakeKubeApi::skip_reason() {
    if (python().empty()) return "python3 is not installed (the fake Kubernetes API server needs it)";
    return {};
}

Result<std::unique_ptr<FakeKubeApi>> FakeKubeApi::launch(const std::string &token, const std::string &cert_file,
                                                         const std::string &key_file) {
    std::unique_ptr<FakeKubeApi> api(new FakeKubeApi);
    api->tls_ = !cert_file.empty();
    api->dir_ = make_temp_dir("kubeapi");
    if (api->dir_.empty()) return errno_error("mkdtemp", errno);
    std::string log = api->dir_ + "/server.log";
    std::vector<std::string> argv{python(), "-u",
                                  std::string(PODLANE_SOURCE_DIR) + "/tests/datastore/fake_kube_apiserver.py", token};
    if (api->tls_) {
        argv.push_back(cert_file);
        argv.push_back(key_file);
    }
    auto child = ChildProcess::spawn(argv, log);
    if (!child) return child.error();
    api->process_ = std::move(*child);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(log);
        std::string word;
        int port = 0;
        if (in >> word >> port && word == "PORT" && port > 0) {
            api->port_ = port;
            return api;
        }
        if (api->process_.exited()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    return Error{"fake Kubernetes API server did not start: " + ss.str()};
}

FakeKubeApi::~FakeKubeApi() {
    process_.kill_and_wait(9);
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

std::string FakeKubeApi::write_kubeconfig(const std::string &token, const std::string &ca_pem) const {
    std::string path = dir_ + "/kubeconfig";
    std::ofstream out(path);
    out << "apiVersion: v1\n"
           "kind: Config\n"
           "clusters:\n"
           "- name: fake\n"
           "  cluster:\n"
           "    server: "
        << server() << "/\n"
        << (ca_pem.empty() ? std::string{}
                           : "    certificate-authority-data: " + datastore::base64_encode(ca_pem) + "\n")
        << "contexts:\n"
           "- name: other\n"
           "  context: {cluster: nowhere, user: nobody}\n"
           "- name: podlane@fake\n"
           "  context:\n"
           "    cluster: fake\n"
           "    user: podlane\n"
           "current-context: podlane@fake\n"
           "users:\n"
           "- name: podlane\n"
           "  user:\n"
           "    token: "
        << token << "\n";
    return path;
}

Status FakeKubeApi::control(const std::string &what, const nlohmann::json &body) {
    datastore::HttpClient http(control_tls());
    auto resp = http.send({.method = "POST",
                           .url = server() + "/_control/" + what,
                           .body = body.dump(),
                           .headers = {},
                           .timeout_ms = 10000});
    if (!resp) return resp.error();
    if (resp->status != 200) return Error{"control " + what + ": HTTP " + std::to_string(resp->status)};
    return {};
}

Status FakeKubeApi::upsert(const std::string &name, const std::string &ip, const std::string &cidr) {
    nlohmann::json body = {
        {"name", name}, {"ip", ip}, {"cidr", cidr.empty() ? nlohmann::json() : nlohmann::json(cidr)}};
    return control("upsert", body);
}

Status FakeKubeApi::upsert_dual(const std::string &name, const std::string &ip, const std::string &cidr,
                                const std::string &ip6, const std::string &cidr6) {
    return control("upsert", {{"name", name}, {"ip", ip}, {"cidr", cidr}, {"ip6", ip6}, {"cidr6", cidr6}});
}

Status FakeKubeApi::remove(const std::string &name) {
    return control("delete", {{"name", name}});
}

nlohmann::json FakeKubeApi::requests() const {
    datastore::HttpClient http(control_tls());
    auto resp = http.send(
        {.method = "GET", .url = server() + "/_control/requests", .body = {}, .headers = {}, .timeout_ms = 10000});
    if (!resp || resp->status != 200) return nlohmann::json::array();
    return nlohmann::json::parse(resp->body, nullptr, false);
}

nlohmann::json FakeKubeApi::node(const std::string &name) const {
    datastore::HttpClient http(control_tls());
    auto resp = http.send({.method = "GET",
                           .url = server() + "/_control/node?name=" + name,
                           .body = {},
                           .headers = {},
                           .timeout_ms = 10000});
    if (!resp || resp->status != 200) return nullptr;
    return nlohmann::json::parse(resp->body, nullptr, false);
}

std::string FakeKubeApi::condition(const std::string &name, const std::string &type) const {
    auto n = node(name);
    if (!n.is_object()) return "";
    for (const auto &c : n["status"].value("conditions", nlohmann::json::array()))
        if (c.value("type", "") == type) return c.value("status", "");
    return "";
}

int FakeKubeApi::count_lists() const {
    int n = 0;
    for (const auto &r : requests())
        if (r["path"] == "/api/v1/nodes" && r["query"].value("watch", "") == "") ++n;
    return n;
}

int FakeKubeApi::count_watches() const {
    int n = 0;
    for (const auto &r : requests())
        if (r["path"] == "/api/v1/nodes" && r["query"].value("watch", "") != "") ++n;
    return n;
}

}  // namespace podlane::test
