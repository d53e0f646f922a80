// What podlaned found at start and what it did with it, said in one log
// line: routes adopted or removed, endpoints adopted, stale or registered,
// neighbour entries of a previous run, programs attached, pinned maps of an
// older layout removed. An operator reads a restart's effect off that line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "podlane/result.h"
#include "reconcile.h"

namespace podlane {

struct StartReport {
    // Routes: found in the pinned map, and the start's diff against the
    // wanted ones (nullopt: a datastore decides, at its first answer).
    unsigned routes_found = 0;
    std::optional<RouteDiff> routes;
    unsigned endpoints_kept = 0, endpoints_stale = 0, endpoints_registered = 0;
    // Neighbour entries: nullopt until the first node list is known.
    std::optional<unsigned> neighbours_kept, neighbours_removed;
    unsigned programs_attached = 0;
    std::vector<std::string> old_pins_removed;

    // "start: adopted 3 routes, removed 1 stale route, added 0, updated 0;
    // endpoints: ...; ...".
    std::string line() const;
};

// Pinned maps and programs of an older layout in pin_dir ("pl_stats_v1"
// beside the current "pl_stats_v2"): podlaned's own, used by no program of
// this version, so removed. Returns their names.
Result<std::vector<std::string>> remove_old_layout_pins(const std::string &pin_dir,
                                                        const std::vector<std::string> &current_names);

// The names this version pins (abi/maps.h).
std::vector<std::string> current_pin_names();

}  // namespace podlane
