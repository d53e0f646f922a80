// Dispatch: environment and stdin in, the spec's JSON out.
#include "commands.h"
#include "version.h"

namespace podlane::cni {
namespace {

// Messages quote inputs (CNI_* values are any bytes): invalid UTF-8 is
// replaced instead of making dump() throw.
std::string to_text(const nlohmann::json &j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int print_error(const CniError &err, const std::string &version, std::string &out) {
    nlohmann::json j{{"cniVersion", version}, {"code", err.code}, {"msg", err.msg}};
    if (!err.details.empty()) j["details"] = err.details;
    out = to_text(j);
    return 1;
}

// Every key is checked for its type before use; should one slip through,
// nlohmann's type error is still the config's fault (7), not ours (101).
template <typename F>
auto config_errors_as_7(F &&run) -> decltype(run()) {
    try {
        return run();
    } catch (const nlohmann::json::type_error &e) {
        return CniError{kInvalidConfig, std::string("invalid network config: unexpected type: ") + e.what(), ""};
    } catch (const nlohmann::json::out_of_range &e) {
        return CniError{kInvalidConfig, std::string("invalid network config: missing or out of range: ") + e.what(),
                        ""};
    }
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
        out = to_text(reply);
        return 0;
    }
    auto cfg = config_errors_as_7([&] { return parse_config(stdin_text); });
    if (!cfg) return print_error(cfg.error(), version, out);

    std::vector<std::string> warnings;
    CniResult<nlohmann::json> result = config_errors_as_7([&]() -> CniResult<nlohmann::json> {
        switch (env->command) {
            case Command::Add:
                return cmd_add(*env, *cfg);
            case Command::Del:
                return cmd_del(*env, *cfg);
            case Command::Check:
                return cmd_check(*env, *cfg);
            case Command::Status:
                return cmd_status(*cfg, warnings);
            case Command::Gc:
                return cmd_gc(*cfg, warnings);
            case Command::Version:
                break;
        }
        return nlohmann::json();
    });
    for (const auto &w : warnings) log += "podlane: " + std::string(command_name(env->command)) + ": " + w + "\n";
    if (!result) {
        CniError err = result.error();
        err.msg = std::string(command_name(env->command)) + ": " + err.msg;
        return print_error(err, cfg->cni_version, out);
    }
    if (!result->is_null()) out = to_text(*result);
    return 0;
}

}  // namespace podlane::cni
