#include "podlane/reasons.h"

#include <algorithm>
#include <array>

namespace podlane {
namespace {

constexpr Verdict to_verdict(podlane_verdict v) {
    switch (v) {
        case PODLANE_VERDICT_FORWARD:
            return Verdict::Forward;
        case PODLANE_VERDICT_PASS:
            return Verdict::Pass;
        case PODLANE_VERDICT_DROP:
            return Verdict::Drop;
    }
    return Verdict::Drop;
}

#define PODLANE_REASON_INFO(id, index, verdict, name, description) \
    ReasonInfo{PODLANE_##id, name, description, to_verdict(PODLANE_VERDICT_##verdict)},
constexpr std::array kReasons{PODLANE_REASONS(PODLANE_REASON_INFO)};
#undef PODLANE_REASON_INFO

// A switch over every reason: two entries of the ABI table with one index
// fail to compile here (duplicate case value).
#define PODLANE_REASON_CASE(id, index, verdict, name, description) \
    case PODLANE_##id:                                             \
        return true;
constexpr bool is_listed(podlane_reason reason) {
    switch (reason) {
        PODLANE_REASONS(PODLANE_REASON_CASE)
        default:
            return false;
    }
}
#undef PODLANE_REASON_CASE

static_assert(std::ranges::is_sorted(kReasons, {}, &ReasonInfo::reason), "the ABI reasons table is in index order");
static_assert(std::ranges::all_of(kReasons, [](const ReasonInfo &r) { return is_listed(r.reason); }));

}  // namespace

std::span<const ReasonInfo> all_reasons() {
    return kReasons;
}

const ReasonInfo *reason_info(unsigned index) {
    auto found =
        std::ranges::find(kReasons, index, [](const ReasonInfo &r) { return static_cast<unsigned>(r.reason); });
    return found == kReasons.end() ? nullptr : &*found;
}

std::string_view verdict_name(Verdict v) {
    switch (v) {
        case Verdict::Forward:
            return "forward";
        case Verdict::Pass:
            return "pass";
        case Verdict::Drop:
            return "drop";
    }
    return "?";
}

}  // namespace podlane
