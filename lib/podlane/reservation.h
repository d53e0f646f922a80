// One reserved address: the content of the store file named after the IP.
//   line 1: container ID, line 2: ifname, line 3: boot ID
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "podlane/ip.h"

namespace podlane {

struct Reservation {
    Ipv4 ip;
    std::string container_id;
    std::string ifname;
    std::string boot_id;
    bool operator==(const Reservation &) const = default;
};

std::string format_reservation(const Reservation &r);
// nullopt for anything but exactly three non-empty lines, each newline-ended:
// a torn or foreign file never passes for a reservation.
std::optional<Reservation> parse_reservation(Ipv4 ip, std::string_view content);

}  // namespace podlane
