// podlaned's read-only view of the CNI plugin's IPAM store (the layout is in
// cni/ipam/store.h): which pods the plugin set up during this boot, so that
// endpoints registered while the maps were not pinned are not lost.
#pragma once

#include <string>
#include <vector>

#include "podlane/reservation.h"
#include "podlane/result.h"

namespace podlane {

template <typename Addr>
struct BasicReservationScan {
    std::vector<BasicReservation<Addr>> live;  // reserved during boot `boot_id`
    unsigned earlier_boot = 0;                 // their pods died with the machine
    unsigned unreadable = 0;                   // not a regular file, or does not parse
};

// Every file of `dir` named after an address of the family (Ipv4, or Ipv6 for
// a dual-stack network's second store). No lock: reservations are
// created whole by link(2), so a file is either absent or complete, and a
// torn or foreign one does not parse and is counted, never trusted. A missing
// `dir` is an empty store (no pod was ever added on this node).
template <typename Addr>
Result<BasicReservationScan<Addr>> scan_reservations_of(const std::string &dir, const std::string &boot_id);
using ReservationScan = BasicReservationScan<Ipv4>;
inline Result<ReservationScan> scan_reservations(const std::string &dir, const std::string &boot_id) {
    return scan_reservations_of<Ipv4>(dir, boot_id);
}

}  // namespace podlane
