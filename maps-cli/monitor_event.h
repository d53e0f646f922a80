// One dataplane event of `podlanectl monitor`, as a line for people or a
// JSON document: time, reason, interface, 5-tuple, next hop.
#pragma once

#include <string>

#include "format.h"
#include "ifnames.h"
#include "podlane/abi/maps.h"

namespace podlane::ctl {

// time: the event's wall-clock time, already formatted ("08:15:02.123456").
std::string render_event(const podlane_event &ev, const std::string &time, const IfNames &names, Format f);

// --type words -> enum podlane_monitor_types bits; error names the words.
Result<uint32_t> monitor_types(const std::string &word);

}  // namespace podlane::ctl
