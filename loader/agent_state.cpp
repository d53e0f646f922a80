#include "agent_state.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace podlane {

Status write_agent_state(const std::string &dir, const AgentState &s)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return errno_error("create " + dir, ec.value());
    nlohmann::json attachments = nlohmann::json::array();
    for (const auto &a : s.attachments)
        attachments.push_back({{"ifname", a.ifname}, {"ifindex", a.ifindex}, {"hook", a.hook}, {"program", a.program}});
    nlohmann::json doc = {
        {"pid", s.pid},
        {"configPath", s.config_path},
        {"role", s.role},
        {"uplinkHook", s.uplink_hook},
        {"attachMode", s.attach_mode},
        {"pinDir", s.pin_dir},
        {"datastore", s.datastore},
        {"startedAt", static_cast<long long>(std::time(nullptr))},
        {"version", PODLANE_VERSION},
        {"attachments", attachments},
    };
    std::string path = dir + "/agent.json", tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << doc.dump(2) << "\n";
        if (!out) return errno_error("write " + tmp, errno ? errno : EIO);
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) return errno_error("rename " + tmp, ec.value());
    return {};
}

}  // namespace podlane
