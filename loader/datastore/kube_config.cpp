#include "datastore/kube_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>

#include "datastore/base64.h"
#include "podlane/node_config.h"

namespace podlane::datastore {
namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// The entry of a named list (clusters, users, contexts) with that name.
YAML::Node named(const YAML::Node &list, const std::string &name) {
    if (list && list.IsSequence())
        for (const auto &item : list)
            if (item["name"] && item["name"].as<std::string>() == name) return item;
    return YAML::Node{};
}

std::string str(const YAML::Node &n, const char *key) {
    return n && n[key] && n[key].IsScalar() ? n[key].as<std::string>() : std::string{};
}

// A *-data field (base64 PEM) or a file field relative to the kubeconfig.
Status take_pem(const YAML::Node &n, const std::string &field, const std::filesystem::path &base, std::string &file_out,
                std::string &pem_out) {
    if (auto data = str(n, (field + "-data").c_str()); !data.empty()) {
        auto pem = base64_decode(data);
        if (!pem) return pem.error().wrap(field + "-data");
        pem_out = *pem;
    } else if (auto file = str(n, field.c_str()); !file.empty()) {
        std::filesystem::path p(file);
        file_out = p.is_absolute() ? p.string() : (base / p).string();
    }
    return {};
}

}  // namespace

Result<std::string> KubeEndpoint::bearer_token() const {
    if (token_file.empty()) return token;
    auto text = read_file(token_file);
    if (!text) return text.error().wrap("service account token");
    return trim(*text);
}

Result<KubeEndpoint> in_cluster_config(const std::string &account_dir) {
    const char *host = std::getenv("KUBERNETES_SERVICE_HOST");
    const char *port = std::getenv("KUBERNETES_SERVICE_PORT");
    if (!host || !*host || !port || !*port)
        return Error{"in-cluster config: KUBERNETES_SERVICE_HOST/PORT are not set (not in a pod? pass --kubeconfig)"};
    KubeEndpoint ep;
    std::string h = host;
    ep.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
    ep.token_file = account_dir + "/token";
    ep.tls.ca_file = account_dir + "/ca.crt";
    if (!std::filesystem::exists(ep.token_file))
        return Error{"in-cluster config: " + ep.token_file + " is missing (automountServiceAccountToken disabled?)"};
    return ep;
}

Result<KubeEndpoint> load_kubeconfig(const std::string &path) {
    auto text = read_file(path);
    if (!text) return text.error().wrap("kubeconfig");
    return parse_kubeconfig(*text, std::filesystem::path(path).parent_path().string(), "kubeconfig " + path);
}

namespace {
Result<KubeEndpoint> parse_kubeconfig_doc(const YAML::Node &doc, const std::filesystem::path &base,
                                          const std::string &what);
}

Result<KubeEndpoint> parse_kubeconfig(const std::string &text, const std::string &base_dir, const std::string &what) {
    // yaml-cpp reports a bad document, and a value of an unexpected kind
    // (`name: [a]` read as a string), by throwing: never past here.
    try {
        YAML::Node doc = YAML::Load(text);
        if (!doc.IsMap()) return Error{what + ": not a YAML mapping"};
        return parse_kubeconfig_doc(doc, base_dir, what);
    } catch (const YAML::Exception &e) {
        return Error{what + ": " + e.what()};
    }
}

namespace {

Result<KubeEndpoint> parse_kubeconfig_doc(const YAML::Node &doc, const std::filesystem::path &base,
                                          const std::string &what) {
    auto fail = [&](const std::string &msg) { return Error{what + ": " + msg}; };
    std::string context_name = str(doc, "current-context");
    if (context_name.empty()) return fail("no current-context");
    YAML::Node context = named(doc["contexts"], context_name)["context"];
    if (!context) return fail("context '" + context_name + "' not found");
    std::string cluster_name = str(context, "cluster"), user_name = str(context, "user");
    YAML::Node cluster = named(doc["clusters"], cluster_name)["cluster"];
    if (!cluster) return fail("cluster '" + cluster_name + "' (of context '" + context_name + "') not found");
    YAML::Node user = named(doc["users"], user_name)["user"];

    KubeEndpoint ep;
    ep.server = str(cluster, "server");
    while (!ep.server.empty() && ep.server.back() == '/') ep.server.pop_back();
    if (ep.server.empty()) return fail("cluster '" + cluster_name + "' has no server");
    // libcurl would follow file://, ftp://, gopher:// ... as readily.
    if (ep.server.rfind("https://", 0) != 0 && ep.server.rfind("http://", 0) != 0)
        return fail("cluster '" + cluster_name + "': server '" + ep.server + "' is not an http:// or https:// URL");
    ep.tls.insecure_skip_verify = str(cluster, "insecure-skip-tls-verify") == "true";
    if (auto st = take_pem(cluster, "certificate-authority", base, ep.tls.ca_file, ep.tls.ca_pem); !st)
        return fail(st.error().message);
    if (user) {
        if (auto st = take_pem(user, "client-certificate", base, ep.tls.cert_file, ep.tls.cert_pem); !st)
            return fail(st.error().message);
        if (auto st = take_pem(user, "client-key", base, ep.tls.key_file, ep.tls.key_pem); !st)
            return fail(st.error().message);
        ep.token = str(user, "token");
        if (auto file = str(user, "tokenFile"); !file.empty() && ep.token.empty()) {
            std::filesystem::path p(file);
            ep.token_file = p.is_absolute() ? p.string() : (base / p).string();
        }
        if (user["exec"] || user["auth-provider"])
            return fail("user '" + user_name +
                        "' uses an exec/auth-provider plugin; give podlaned a token or client certificate");
    }
    return ep;
}

}  // namespace

}  // namespace podlane::datastore
