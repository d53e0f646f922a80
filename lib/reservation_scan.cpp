#include "podlane/reservation_scan.h"

#include <filesystem>
#include <system_error>

#include "podlane/files.h"

namespace podlane {

template <typename Addr>
Result<BasicReservationScan<Addr>> scan_reservations_of(const std::string &dir, const std::string &boot_id) {
    namespace fs = std::filesystem;
    BasicReservationScan<Addr> scan;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec == std::errc::no_such_file_or_directory) return scan;
    if (ec) return errno_error("read the IPAM store " + dir, ec.value());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        // lock, last, c-<hash>, reserve.tmp: not reservations.
        auto ip = Addr::parse(name);
        if (!ip) continue;
        // A reservation is three short lines; O_NOFOLLOW: never a symlink.
        auto content = read_file(it->path().string(), {.max_bytes = 4096, .follow_symlinks = false});
        auto reservation = content ? parse_reservation(*ip, *content) : std::nullopt;
        if (!reservation) {
            ++scan.unreadable;
            continue;
        }
        if (reservation->boot_id != boot_id) {
            ++scan.earlier_boot;
            continue;
        }
        scan.live.push_back(std::move(*reservation));
    }
    if (ec) return errno_error("read the IPAM store " + dir, ec.value());
    return scan;
}

template Result<BasicReservationScan<Ipv4>> scan_reservations_of<Ipv4>(const std::string &, const std::string &);
template Result<BasicReservationScan<Ipv6>> scan_reservations_of<Ipv6>(const std::string &, const std::string &);

}  // namespace podlane
