#include "start_report.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <system_error>

namespace podlane {
namespace {

std::string count(unsigned n, const std::string &one, const std::string &many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "pl_stats_v2" -> ("pl_stats", 2); nullopt for a name of another shape.
std::optional<std::pair<std::string, unsigned>> versioned(const std::string &name) {
    auto at = name.rfind("_v");
    if (name.rfind("pl_", 0) != 0 || at == std::string::npos || at + 2 >= name.size()) return std::nullopt;
    unsigned version = 0;
    const char *first = name.data() + at + 2, *last = name.data() + name.size();
    auto [end, ec] = std::from_chars(first, last, version);
    if (ec != std::errc{} || end != last) return std::nullopt;
    return std::pair{name.substr(0, at), version};
}

}  // namespace

std::vector<std::string> current_pin_names() {
    return {PODLANE_MAP_ROUTES,     PODLANE_MAP_ENDPOINTS,    PODLANE_MAP_CONFIG,       PODLANE_MAP_STATS,
            PODLANE_MAP_NEIGHBOURS, PODLANE_MAP_TX_PORTS,     PODLANE_MAP_ROUTER_PORTS, PODLANE_MAP_SRC_EXEMPT,
            PODLANE_MAP_MONITOR,    PODLANE_MAP_MONITOR_RATE, PODLANE_MAP_EVENTS};
}

Result<std::vector<std::string>> remove_old_layout_pins(const std::string &pin_dir,
                                                        const std::vector<std::string> &current_names) {
    std::map<std::string, unsigned> current;  // stem -> version in use
    for (const auto &name : current_names)
        if (auto v = versioned(name)) current[v->first] = v->second;
    std::vector<std::string> removed;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(pin_dir, ec)) {
        const std::string name = entry.path().filename();
        auto v = versioned(name);
        if (!v) continue;
        auto it = current.find(v->first);
        if (it == current.end() || v->second >= it->second) continue;
        std::error_code rm;
        if (!std::filesystem::remove(entry.path(), rm) && rm)
            return Error{"remove the old-layout pin " + entry.path().string() + ": " + rm.message(), rm.value()};
        removed.push_back(name);
    }
    if (ec) return Error{"list " + pin_dir + ": " + ec.message(), ec.value()};
    std::sort(removed.begin(), removed.end());
    return removed;
}

std::string StartReport::line() const {
    std::string out = "start: ";
    if (routes) {
        const unsigned changed = static_cast<unsigned>(routes->remove.size() + routes->update.size());
        out += "adopted " + count(routes_found >= changed ? routes_found - changed : 0, "route", "routes") +
               ", removed " + count(static_cast<unsigned>(routes->remove.size()), "stale route", "stale routes") +
               ", updated " + std::to_string(routes->update.size()) + ", added " + std::to_string(routes->add.size());
    } else {
        out += "kept " + count(routes_found, "route", "routes") + " until the datastore's first list";
    }
    out += "; endpoints: " + std::to_string(endpoints_kept) + " adopted, " + std::to_string(endpoints_stale) +
           " stale removed, " + std::to_string(endpoints_registered) + " registered from the IPAM store";
    if (neighbours_kept && neighbours_removed)
        out += "; neighbour entries: " + std::to_string(*neighbours_kept) + " kept, " +
               std::to_string(*neighbours_removed) + " stale removed";
    else
        out += "; neighbour entries: checked at the first node list";
    out += "; " + count(programs_attached, "program", "programs") + " attached";
    out += "; " + count(static_cast<unsigned>(old_pins_removed.size()), "pin", "pins") + " of an older layout removed";
    if (!old_pins_removed.empty()) {
        out += " (";
        for (size_t i = 0; i < old_pins_removed.size(); ++i) out += (i ? ", " : "") + old_pins_removed[i];
        out += ")";
    }
    return out;
}

}  // namespace podlane
