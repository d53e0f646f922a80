// Dispatch: environment and stdin in, the spec's JSON out.
#include "commands.h"
#include "version.h"

namespace podlane::cni {
namespace {

int print_error(const CniError &err, const std::string &version, std::string &out) {
    nlohmann::json j{{"cniVersion", version}, {"code", err.code}, {"msg", err.msg}};
    if (!err.details.empty()) j["details"] = err.details;
    out = j.dump(2) + "\n";
    return 1;
}

}  // namespace

nlohmann::json cmd_version() {
    return nlohmann::json{{"cniVersion", kLatestVersion}, {"supportedVersions", supported_versions()}};
}

int run_plugin(const EnvLookup &getenv_fn, const std::string &stdin_text, std::string &out) {
    std::string log;
    return run_plugin(getenv_fn, stdin_text, out, log);
}

int run_plugin(const EnvLookup &getenv_fn, const std::string &stdin_text, std::string &out, std::string &log) {
    const std::string version = best_effort_version(stdin_text);
    auto env = parse_env(getenv_fn);
    if (!env) return print_error(env.error(), version, out);
    if (env->command == Command::Version) {
        auto reply = cmd_version();
        reply["cniVersion"] = version;
        out = reply.dump(2) + "\n";
        return 0;
    }
    auto cfg = parse_config(stdin_text);
    if (!cfg) return print_error(cfg.error(), version, out);

    CniResult<nlohmann::json> result = nlohmann::json();
    std::vector<std::string> warnings;
    switch (env->command) {
        case Command::Add:
            result = cmd_add(*env, *cfg);
            break;
        case Command::Del:
            result = cmd_del(*env, *cfg);
            break;
        case Command::Check:
            result = cmd_check(*env, *cfg);
            break;
        case Command::Status:
            result = cmd_status(*cfg, warnings);
            break;
        case Command::Gc:
            result = cmd_gc(*cfg, warnings);
            break;
        case Command::Version:
            break;
    }
    for (const auto &w : warnings) log += "podlane: " + std::string(command_name(env->command)) + ": " + w + "\n";
    if (!result) {
        CniError err = result.error();
        err.msg = std::string(command_name(env->command)) + ": " + err.msg;
        return print_error(err, cfg->cni_version, out);
    }
    if (!result->is_null()) out = result->dump(2) + "\n";
    return 0;
}

}  // namespace podlane::cni
