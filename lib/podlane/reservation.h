// One reserved address: the content of the store file named after the IP.
//   line 1: container ID, line 2: ifname, line 3: boot ID
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "podlane/ip.h"

namespace podlane {

// A dual-stack network's IPv6 store, beside its IPv4 store folder `dir`
// ('@' is in no CNI network name: never another network's folder).
inline std::string ipv6_store_dir(const std::string &dir) {
    return dir + "@ipv6";
}

// Addr: Ipv4, or Ipv6 in a dual-stack network's second store.
template <typename Addr>
struct BasicReservation {
    Addr ip;
    std::string container_id;
    std::string ifname;
    std::string boot_id;
    bool operator==(const BasicReservation &) const = default;
};
using Reservation = BasicReservation<Ipv4>;
using Reservation6 = BasicReservation<Ipv6>;

struct ReservationLines {
    std::string container_id, ifname, boot_id;
};
std::string format_reservation(const ReservationLines &r);
// nullopt for anything but exactly three non-empty lines, each newline-ended:
// a torn or foreign file never passes for a reservation.
std::optional<ReservationLines> parse_reservation_lines(std::string_view content);

template <typename Addr>
std::string format_reservation(const BasicReservation<Addr> &r) {
    return format_reservation(ReservationLines{r.container_id, r.ifname, r.boot_id});
}
template <typename Addr>
std::optional<BasicReservation<Addr>> parse_reservation(Addr ip, std::string_view content) {
    auto lines = parse_reservation_lines(content);
    if (!lines) return std::nullopt;
    return BasicReservation<Addr>{ip, std::move(lines->container_id), std::move(lines->ifname),
                                  std::move(lines->boot_id)};
}

}  // namespace podlane
