// The verdict reasons of include/podlane/abi/maps.h (PODLANE_REASONS) for
// people: names, descriptions and verdict classes, all generated from that one table.
#pragma once

#include <span>
#include <string_view>

#include "podlane/abi/maps.h"

namespace podlane {

enum class Verdict { Forward, Pass, Drop };

struct ReasonInfo {
    podlane_reason reason;
    std::string_view name;         // stable identifier, used in JSON
    std::string_view description;  // one line for people
    Verdict verdict;
};

// Every reason the programs can count, in index order.
std::span<const ReasonInfo> all_reasons();
// nullptr for an index no program uses.
const ReasonInfo *reason_info(unsigned index);
std::string_view verdict_name(Verdict v);

}  // namespace podlane
