// podlane-resolve-node: completes a node file from the datastore and writes
// it where the CNI plugin reads it (its conflist's nodeConfig).
//
// With --datastore etcd or kubernetes the node file given to podlaned has no
// podCIDR: podlaned learns it at start. The CNI plugin, a separate short-lived
// process, needs it too; this tool resolves it the same way podlaned does
// (claims or finds the block in etcd, reads the Node object) and writes the
// completed file, so both agree. Idempotent: a node keeps its block.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "datastore/source.h"

namespace {

podlane::Status write_atomically(const std::string &path, const std::string &text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!(out << text)) return podlane::errno_error("write " + tmp, errno);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) return podlane::Error{"rename " + tmp + " to " + path + ": " + ec.message()};
    return {};
}

int fail(const std::string &msg) {
    std::fprintf(stderr, "podlane-resolve-node: error: %s\n", msg.c_str());
    return 1;
}

}  // namespace

int main(int argc, char **argv) {
    podlane::datastore::Options options;
    std::string in_path, out_path;
    CLI::App app{
        "podlane-resolve-node: fills the node file's podCIDR (and nodeIP) from the datastore, as podlaned does,\n"
        "and writes the completed file for the CNI plugin."};
    app.add_option("-c,--config", in_path, "Node file without podCIDR (the one podlaned reads)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("-o,--out", out_path, "Where to write the completed node file")->required();
    podlane::datastore::add_cli_options(app, options);
    CLI11_PARSE(app, argc, argv);

    auto text = podlane::read_file(in_path);
    if (!text) return fail(text.error().message);
    auto cfg = podlane::parse_node_config(
        *text, podlane::NodeConfigRules{.pod_cidr_required = options.kind == podlane::datastore::Kind::File});
    if (!cfg) return fail(in_path + ": " + cfg.error().message);
    auto source = podlane::datastore::create_source(options);
    if (!source) return fail(source.error().message);
    podlane::NodeConfig resolved = *cfg;
    if (*source) {
        auto r = (*source)->resolve_self(*cfg);
        if (!r)
            return fail(std::string("datastore ") + podlane::datastore::kind_name(options.kind) + ": " +
                        r.error().message);
        resolved = *r;
    }

    // Everything else in the file stays as written.
    auto doc = nlohmann::json::parse(*text);
    doc["podCIDR"] = resolved.pod_cidr.str();
    doc["nodeIP"] = resolved.node_ip.str();
    if (resolved.pod_cidr6) doc["podCIDRv6"] = resolved.pod_cidr6->str();
    if (auto st = write_atomically(out_path, doc.dump(2) + "\n"); !st) return fail(st.error().message);
    std::printf("%s: node %s, pod CIDR %s\n", out_path.c_str(), resolved.node_name.c_str(),
                resolved.pod_cidr.str().c_str());
    return 0;
}
