#include "podlane/reservation.h"

#include <vector>

namespace podlane {

std::string format_reservation(const ReservationLines &r) {
    return r.container_id + "\n" + r.ifname + "\n" + r.boot_id + "\n";
}

std::optional<ReservationLines> parse_reservation_lines(std::string_view content) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < content.size()) {
        size_t nl = content.find('\n', start);
        if (nl == std::string_view::npos) return std::nullopt;  // torn: last line unterminated
        if (nl == start) return std::nullopt;                   // empty line
        lines.emplace_back(content.substr(start, nl - start));
        start = nl + 1;
    }
    if (lines.size() != 3) return std::nullopt;
    return ReservationLines{lines[0], lines[1], lines[2]};
}

}  // namespace podlane
