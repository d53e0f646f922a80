// podlaned: the podlane node agent.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "agent.h"
#include "cli_words.h"
#include "cni_conflist.h"
#include "router/router_agent.h"

namespace {

void log_line(const std::string &msg) {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&t, &utc);  // the datastore's and the metrics server's threads log too
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", &utc);
    std::fprintf(stderr, "%s.%03lld podlaned: %s\n", stamp, static_cast<long long>(ms), msg.c_str());
}

}  // namespace

int main(int argc, char **argv) {
    podlane::AgentOptions options;
    options.metrics_address = ":9965";
    bool detach = false;
    std::string cni_conflist;
    std::string cni_conf_dir = "/etc/cni/net.d";
    CLI::App app{
        "podlaned: the podlane node agent. Loads the BPF dataplane, attaches it to the bridge, the uplink\n"
        "and the host device, and keeps the routes map in step with the cluster's nodes. Stopping it\n"
        "leaves the dataplane in place; starting it again adopts the pinned maps."};
    app.add_option("-c,--config", options.config_path,
                   "Node config file (JSON: nodeName, nodeIP, uplink, podCIDR, nodes[])")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--pin-root", options.pin_root,
                   "Root of the pinned maps (default: the config's pinRoot, /sys/fs/bpf/podlane)");
    app.add_option("--uplink-hook", options.uplink_hook,
                   "Receive hook on the uplink: auto (native xdp on NICs whose driver has it, else tc), tc, xdp")
        ->transform(podlane::one_of(podlane::kUplinkHookWords));
    app.add_option("--attach", options.attach,
                   "Where the pod-side program runs: veth (each pod's host veth, the default: measured faster) or "
                   "bridge (podlane0 ingress)")
        ->transform(podlane::one_of(podlane::kPodAttachWords));
    app.add_option("--role", options.role,
                   "node: a cluster node; router: the central router of the nodes' pod networks")
        ->transform(podlane::one_of(podlane::kRoleWords));
    app.add_option("--hook", options.router_hook, "Router role: forward in xdp (NICs) or tc (veth interfaces)")
        ->transform(podlane::one_of(podlane::kRouterHookWords));
    app.add_option("--next-hop", options.next_hop,
                   "How the pod side reaches the owning node: neigh (bpf_redirect_neigh) or fib (bpf_fib_lookup)")
        ->transform(podlane::one_of(podlane::kNextHopWords));
    app.add_option("--netfilter", options.netfilter,
                   "compat (default): new flows, Service-translated flows and ICMP go through the kernel's netfilter\n"
                   "(kube-proxy, NetworkPolicy, masquerade work as on kernel routes), established pod flows take the\n"
                   "BPF fast path; bypass: every pod flow takes the fast path, netfilter never sees it")
        ->transform(podlane::one_of(podlane::kNetfilterWords));
    app.add_option("--run-dir", options.run_dir, "Where agent.json is written for podlanectl status");
    app.add_option("--cni-conflist", cni_conflist,
                   "Node role: once ready, install this CNI network list into --cni-conf-dir (a runtime then\n"
                   "starts creating pods; until then the node's network is not ready). --detach removes it.")
        ->check(CLI::ExistingFile);
    app.add_option("--cni-conf-dir", cni_conf_dir, "Where the container runtime reads CNI network lists")
        ->check(CLI::ExistingDirectory);
    app.add_option("--ipam-dir", options.ipam_dir,
                   "The CNI plugin's IPAM store: its dataDir/<network name> (default: the deployed conflist's "
                   "/var/lib/cni/podlane/podlane); pods found there without an endpoint get one at start")
        ->capture_default_str();
    app.add_option("--metrics-address", options.metrics_address,
                   "Serve Prometheus metrics on HOST:PORT (/metrics); :PORT listens on every address, an empty\n"
                   "value turns metrics off. A port in use is retried every 5 s without holding the dataplane back")
        ->capture_default_str();
    app.add_flag("--detach", detach,
                 "Remove everything podlaned attached, created and pinned for this node, then exit");
    app.set_version_flag("--version", PODLANE_VERSION);
    podlane::datastore::add_cli_options(app, options.datastore);
    CLI11_PARSE(app, argc, argv);

    if (detach) {
        if (!cni_conflist.empty())
            if (auto st = podlane::remove_cni_conflist(cni_conflist, cni_conf_dir); !st)
                log_line("warning: " + st.error().message);
        auto st = options.role == podlane::Role::Router ? podlane::detach_router(options, log_line)
                                                        : podlane::detach_dataplane(options, log_line);
        if (!st) {
            log_line("error: " + st.error().message);
            return 1;
        }
        return 0;
    }

    // Block the signals the event loop reads from a signalfd, before any
    // thread (datastore watchers) exists, so every thread inherits the mask.
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&mask, sig);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);

    auto agent = options.role == podlane::Role::Router ? podlane::start_router(options, log_line)
                                                       : podlane::Agent::start(options, log_line);
    if (!agent) {
        log_line("error: " + agent.error().message);
        return 1;
    }
    if (!cni_conflist.empty() && options.role == podlane::Role::Node) {
        auto installed = podlane::install_cni_conflist(cni_conflist, cni_conf_dir);
        if (!installed) {
            log_line("error: " + installed.error().message);
            return 1;
        }
        log_line("installed the CNI network list " + *installed);
    }
    log_line("ready");
    auto st = (*agent)->run();
    if (!st) {
        log_line("error: " + st.error().message);
        return 1;
    }
    return 0;
}
