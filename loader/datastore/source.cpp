#include "datastore/source.h"

#include <CLI/CLI.hpp>

namespace podlane::datastore {

void add_cli_options(CLI::App &app, Options &options)
{
    app.add_option("--datastore", options.kind, "Where the cluster's nodes come from: file (the config's nodes list)")
        ->check(CLI::IsMember({"file"}));
}

Result<std::unique_ptr<ClusterSource>> make_source(const Options &options)
{
    if (options.kind == "file") return std::unique_ptr<ClusterSource>{};
    return Error{"--datastore " + options.kind + ": not supported"};
}

}  // namespace podlane::datastore
