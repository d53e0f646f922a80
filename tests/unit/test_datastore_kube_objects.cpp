// Kubernetes Node objects and kubeconfig files, as the Kubernetes source
// reads them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "child_process.h"
#include "datastore/base64.h"
#include "datastore/kube_config.h"
#include "datastore/kube_nodes.h"

using namespace podlane;
using namespace podlane::datastore;
using nlohmann::json;

namespace {

// As the API returns it (kubectl get node -o json, trimmed).
const char *kDualStackNode = R"({
  "kind": "Node", "apiVersion": "v1",
  "metadata": {"name": "worker-1", "resourceVersion": "4711", "labels": {"kubernetes.io/os": "linux"}},
  "spec": {"podCIDR": "fd00:10:244:1::/64", "podCIDRs": ["fd00:10:244:1::/64", "10.244.1.0/24"],
           "providerID": "kind://docker/kind/worker-1"},
  "status": {"addresses": [{"type": "InternalIP", "address": "fc00:f853:ccd:e793::3"},
                           {"type": "InternalIP", "address": "172.18.0.3"},
                           {"type": "Hostname", "address": "worker-1"}]}
})";

}  // namespace

TEST(KubeNodes, TakesBothFamiliesOfADualStackNode) {
    auto node = cluster_node_from_object(json::parse(kDualStackNode));
    ASSERT_TRUE(node.ok()) << node.error().message;
    EXPECT_EQ(node->name, "worker-1");
    EXPECT_EQ(node->pod_cidr.str(), "10.244.1.0/24");
    EXPECT_EQ(node->node_ip.str(), "172.18.0.3");
    ASSERT_TRUE(node->pod_cidr6 && node->node_ip6);
    EXPECT_EQ(node->pod_cidr6->str(), "fd00:10:244:1::/64");
    EXPECT_EQ(node->node_ip6->str(), "fc00:f853:ccd:e793::3");
    EXPECT_EQ(resource_version_of(json::parse(kDualStackNode)), "4711");
}

TEST(KubeNodes, AnIpv6CidrWithoutAnIpv6AddressIsNotRouted) {
    auto node = cluster_node_from_object(json::parse(R"({"metadata": {"name": "n"},
        "spec": {"podCIDRs": ["10.244.7.0/24", "fd00:10:244:7::/64"]},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.7"}]}})"));
    ASSERT_TRUE(node.ok()) << node.error().message;
    EXPECT_EQ(node->pod_cidr.str(), "10.244.7.0/24");
    EXPECT_FALSE(node->pod_cidr6 || node->node_ip6);
    auto bad = cluster_node_from_object(json::parse(R"({"metadata": {"name": "n"},
        "spec": {"podCIDRs": ["10.244.7.0/24", "fd00:10:244:7::5/64"]},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.7"}]}})"));
    EXPECT_FALSE(bad.ok()) << "a CIDR with host bits is an error, as for IPv4";
}

TEST(KubeNodes, OldServersOnlyHavePodCidr) {
    auto node =
        cluster_node_from_object(json::parse(R"({"metadata": {"name": "n"}, "spec": {"podCIDR": "10.244.7.0/24"},
        "status": {"addresses": [{"type": "ExternalIP", "address": "1.2.3.4"}, {"type": "InternalIP", "address": "10.0.0.7"}]}})"));
    ASSERT_TRUE(node.ok()) << node.error().message;
    EXPECT_EQ(node->pod_cidr.str(), "10.244.7.0/24");
    EXPECT_EQ(node->node_ip.str(), "10.0.0.7");
}

TEST(KubeNodes, WhatIsMissingIsNamed) {
    auto no_cidr = cluster_node_from_object(json::parse(R"({"metadata": {"name": "n"}, "spec": {},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.7"}]}})"));
    ASSERT_FALSE(no_cidr.ok());
    EXPECT_NE(no_cidr.error().message.find("Node n: no IPv4 pod CIDR"), std::string::npos) << no_cidr.error().message;

    auto no_ip =
        cluster_node_from_object(json::parse(R"({"metadata": {"name": "n"}, "spec": {"podCIDR": "10.244.7.0/24"},
        "status": {"addresses": [{"type": "Hostname", "address": "n"}]}})"));
    ASSERT_FALSE(no_ip.ok());
    EXPECT_NE(no_ip.error().message.find("InternalIP"), std::string::npos);

    auto bad =
        cluster_node_from_object(json::parse(R"({"metadata": {"name": "n"}, "spec": {"podCIDRs": ["10.244.7.1/24"]},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.7"}]}})"));
    ASSERT_FALSE(bad.ok());
    EXPECT_FALSE(cluster_node_from_object(json::parse(R"({"metadata": {}})")).ok());
    EXPECT_EQ(resource_version_of(json::parse(R"({"kind": "Status"})")), "");
}

class KubeconfigTest : public ::testing::Test {
protected:
    void SetUp() override { dir_ = podlane::test::make_temp_dir("kubeconfig"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string write(const std::string &name, const std::string &text) {
        std::ofstream(dir_ + "/" + name) << text;
        return dir_ + "/" + name;
    }
    std::string dir_;
};

TEST_F(KubeconfigTest, CurrentContextWithInlineCertificates) {
    std::string path = write("config",
                             "apiVersion: v1\nkind: Config\n"
                             "clusters:\n"
                             "- name: kind\n  cluster:\n    server: https://127.0.0.1:6443/\n"
                             "    certificate-authority-data: " +
                                 base64_encode("CA PEM") +
                                 "\n"
                                 "- name: other\n  cluster: {server: https://10.9.9.9}\n"
                                 "contexts:\n"
                                 "- {name: a, context: {cluster: other, user: u2}}\n"
                                 "- {name: kind-kind, context: {cluster: kind, user: kind-admin}}\n"
                                 "current-context: kind-kind\n"
                                 "users:\n"
                                 "- name: kind-admin\n  user:\n"
                                 "    client-certificate-data: " +
                                 base64_encode("CERT PEM") +
                                 "\n"
                                 "    client-key-data: " +
                                 base64_encode("KEY PEM") + "\n");
    auto ep = load_kubeconfig(path);
    ASSERT_TRUE(ep.ok()) << ep.error().message;
    EXPECT_EQ(ep->server, "https://127.0.0.1:6443");
    EXPECT_EQ(ep->tls.ca_pem, "CA PEM");
    EXPECT_EQ(ep->tls.cert_pem, "CERT PEM");
    EXPECT_EQ(ep->tls.key_pem, "KEY PEM");
    EXPECT_TRUE(ep->token.empty());
}

TEST_F(KubeconfigTest, FilesAreRelativeToTheKubeconfigAndTokensWork) {
    std::string path = write("config", R"({"apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "k", "cluster": {"server": "https://api:6443", "certificate-authority": "ca.crt"}}],
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
        "users": [{"name": "u", "user": {"tokenFile": "/run/token"}}]})");
    auto ep = load_kubeconfig(path);
    ASSERT_TRUE(ep.ok()) << ep.error().message;
    EXPECT_EQ(ep->tls.ca_file, dir_ + "/ca.crt");
    EXPECT_EQ(ep->token_file, "/run/token");
}

TEST_F(KubeconfigTest, BrokenConfigsSayWhatIsWrong) {
    auto missing = load_kubeconfig(write("a", "apiVersion: v1\nclusters: []\ncurrent-context: nope\n"));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("context 'nope' not found"), std::string::npos) << missing.error().message;

    auto exec = load_kubeconfig(write("b",
                                      "current-context: c\nclusters: [{name: k, cluster: {server: 'https://x'}}]\n"
                                      "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
                                      "users: [{name: u, user: {exec: {command: aws}}}]\n"));
    ASSERT_FALSE(exec.ok());
    EXPECT_NE(exec.error().message.find("exec"), std::string::npos);

    EXPECT_FALSE(load_kubeconfig(write("c", "{ not yaml: [")).ok());
}

TEST_F(KubeconfigTest, OnlyHttpAndHttpsServers) {
    for (const char *server : {"file:///etc/passwd", "ftp://api:21", "gopher://x", "/etc/passwd"}) {
        auto ep =
            load_kubeconfig(write("s", std::string("current-context: c\nclusters: [{name: k, cluster: {server: '") +
                                           server + "'}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n"));
        ASSERT_FALSE(ep.ok()) << server;
        EXPECT_NE(ep.error().message.find("not an http:// or https:// URL"), std::string::npos) << ep.error().message;
    }
    auto plain = load_kubeconfig(write("p",
                                       "current-context: c\nclusters: [{name: k, cluster: {server: 'http://a:8080'}}]\n"
                                       "contexts: [{name: c, context: {cluster: k, user: u}}]\n"));
    EXPECT_TRUE(plain.ok()) << plain.error().message;
}

// yaml-cpp throws on a value of another kind than asked for; a kubeconfig
// is input, so that is an error, not the end of podlaned.
TEST_F(KubeconfigTest, ValuesOfTheWrongKindAreErrorsNotExceptions) {
    for (const char *text : {"current-context: c\ncontexts: [{name: {a: b}}]\n",
                             "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
                             "clusters: [{name: [k]}]\n",
                             "- just\n- a list\n", "current-context: c\ncontexts: [{name: c, context: [1]}]\n"}) {
        Result<KubeEndpoint> ep = Error{"not run"};
        EXPECT_NO_THROW(ep = load_kubeconfig(write("w", text))) << text;
        EXPECT_FALSE(ep.ok()) << text;
    }
    EXPECT_FALSE(parse_kubeconfig("a: [", "/", "kubeconfig (bytes)").ok());
}

TEST_F(KubeconfigTest, InClusterConfigNeedsTheServiceEnvironment) {
    ::unsetenv("KUBERNETES_SERVICE_HOST");
    auto none = in_cluster_config(dir_);
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);

    write("token", "abc.def\n");
    ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    auto ep = in_cluster_config(dir_);
    ::unsetenv("KUBERNETES_SERVICE_HOST");
    ::unsetenv("KUBERNETES_SERVICE_PORT");
    ASSERT_TRUE(ep.ok()) << ep.error().message;
    EXPECT_EQ(ep->server, "https://10.96.0.1:443");
    EXPECT_EQ(ep->tls.ca_file, dir_ + "/ca.crt");
    auto token = ep->bearer_token();
    ASSERT_TRUE(token.ok());
    EXPECT_EQ(*token, "abc.def");
}

TEST(KubeNodes, WrongFieldTypesAreErrorsNotCrashes) {
    for (
        const char *text :
        {R"({"metadata": {"name": 5}})", R"({"metadata": {"name": "n"}, "spec": {"podCIDR": 7}})",
         R"({"metadata": {"name": "n"}, "spec": "x"})",
         R"({"metadata": {"name": "n"}, "spec": {"podCIDR": "10.244.7.0/24"}, "status": {"addresses": [{"type": 1}]}})",
         R"([])", R"("node")"}) {
        auto node = cluster_node_from_object(json::parse(text));
        EXPECT_FALSE(node.ok()) << text;
    }
    EXPECT_EQ(name_of(json::parse(R"({"metadata": {"name": 5}})")), "");
    EXPECT_EQ(resource_version_of(json::parse(R"({"metadata": {"resourceVersion": 5}})")), "");
}
