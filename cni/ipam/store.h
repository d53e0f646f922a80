// The IPAM store: one file per reserved address in a folder per network.
//
//   <dir>/lock            flock'ed by every change: allocators are serialised
//   <dir>/10.244.1.7      a reservation (lib/podlane/reservation.h), created whole with
//                         link(2) from a written + fdatasync'ed temp file, so
//                         the name never exists half-written and EEXIST means
//                         the address is taken
//   <dir>/c-<hash>        symlink -> "10.244.1.7": index by (container, ifname)
//                         so DEL need not read every file; a hint, verified
//                         against the reservation, rebuilt by scanning
//   <dir>/last            symlink -> last address handed out: round robin, so
//                         a freed address is not reused at once
//   <dir>/reserve.tmp     the temp file; only the lock holder writes it, so
//                         any one found under the lock is a crash leftover
//
// A file named after an address is free again when its boot ID is not this
// boot's (the pod died with the machine). A file that does not parse (torn by
// disk damage or edited by hand) is treated as TAKEN if it was written during
// this boot, since its owner may be alive, and as free if it predates the
// boot; STATUS counts such files, GC keeps the first kind and removes the
// second. Anything else named like an address (a folder, FIFO, symlink) is
// foreign: taken, never opened for reading nor removed, reported.
//
// A dual-stack network has a second store of the same layout for its IPv6
// range, named <dir>@ipv6 ('@' is in no network name, so never another
// network's folder), with files named like fd00:10:244:1::7. Its addresses
// are those at offsets 2..65535 of the range: a /64 is never scanned whole.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "podlane/boot.h"
#include "podlane/ip.h"
#include "podlane/reservation.h"
#include "podlane/result.h"
#include "podlane/unique_fd.h"

namespace podlane::cni {

// What differs between the IPv4 and the IPv6 store: the addresses of a range
// by offset from its network address, and the offsets that are handed out.
template <typename Addr>
struct AddressFamily;

template <>
struct AddressFamily<Ipv4> {
    using Range = Cidr;
    // Never the network nor the broadcast address.
    static uint64_t first_offset(const Cidr &) { return 1; }
    static uint64_t last_offset(const Cidr &r) { return r.size() - 2; }
    static Ipv4 at(const Cidr &r, uint64_t offset) {
        return Ipv4::from_host(r.network().host() + static_cast<uint32_t>(offset));
    }
    static std::optional<uint64_t> offset_of(const Cidr &r, Ipv4 ip) {
        if (!r.contains(ip)) return std::nullopt;
        return uint64_t{ip.host() - r.network().host()};
    }
    // A file name that is exactly an address in canonical form.
    static std::optional<Ipv4> from_file_name(const char *name);
};

template <>
struct AddressFamily<Ipv6> {
    using Range = Cidr6;
    static constexpr uint64_t kMaxOffset = 65535;
    // Never the subnet-router anycast address (offset 0).
    static uint64_t first_offset(const Cidr6 &) { return 1; }
    static uint64_t last_offset(const Cidr6 &r) {
        return r.length >= 112 ? (uint64_t{1} << (128 - r.length)) - 1 : kMaxOffset;
    }
    static Ipv6 at(const Cidr6 &r, uint64_t offset) { return r.at(offset); }
    static std::optional<uint64_t> offset_of(const Cidr6 &r, const Ipv6 &ip);
    static std::optional<Ipv6> from_file_name(const char *name);
};

template <typename Addr>
struct BasicStoreOptions {
    std::string dir;
    typename AddressFamily<Addr>::Range range;  // addresses come from here (see AddressFamily)
    Addr gateway;                               // never handed out
    BootInfo boot;
    std::chrono::milliseconds lock_timeout{10000};
};
using StoreOptions = BasicStoreOptions<Ipv4>;
using StoreOptions6 = BasicStoreOptions<Ipv6>;

struct StoreUsage {
    unsigned capacity = 0;      // usable addresses in the range
    unsigned live = 0;          // reserved during this boot
    unsigned earlier_boot = 0;  // reclaimable
    unsigned corrupt = 0;       // unparseable and from this boot: counted as taken
    // Entries named like an address that podlane did not make (a folder, a
    // FIFO, a symlink): taken, never touched.
    std::vector<std::string> foreign;
    unsigned free() const {
        unsigned taken = live + corrupt + static_cast<unsigned>(foreign.size());
        return taken >= capacity ? 0 : capacity - taken;
    }
};

template <typename Addr>
struct BasicGcOutcome {
    // Removed reservations; earlier-boot files that did not parse have empty IDs.
    std::vector<BasicReservation<Addr>> removed;
    // Unparseable files written during this boot: kept, their pod may run.
    std::vector<Addr> unreadable_kept;
    // Paths of entries podlane did not make: skipped, for a human to look at.
    std::vector<std::string> foreign;
};

template <typename Addr>
class BasicIpamStore {
public:
    using Family = AddressFamily<Addr>;
    using Reservation = BasicReservation<Addr>;
    using GcOutcome = BasicGcOutcome<Addr>;

    // Creates the folder if needed. Refuses (errors naming the folder and
    // the fix) a dataDir or store folder that is a symlink, a store folder
    // not owned by root or our euid or writable by group/others (dataDir:
    // unless sticky), and a lock file that is a symlink or not a file.
    static Result<BasicIpamStore> open(BasicStoreOptions<Addr> options);

    // A free address for (container, ifname). errnum ENOSPC when the range is
    // exhausted (nothing is left behind), EAGAIN when the lock times out.
    Result<Addr> allocate(const std::string &container_id, const std::string &ifname);
    // The released address, nullopt when it had none (DEL is idempotent).
    Result<std::optional<Addr>> release(const std::string &container_id, const std::string &ifname);
    Result<std::optional<Addr>> find(const std::string &container_id, const std::string &ifname);
    Result<StoreUsage> usage();
    // Every parseable reservation of any boot.
    Result<std::vector<Reservation>> reservations();
    // GC: removes every reservation for which keep() is false, and
    // unparseable files older than this boot. Skips (and reports) foreign
    // entries and unparseable files of this boot instead of failing on them.
    Result<GcOutcome> release_unless(const std::function<bool(const Reservation &)> &keep);

    const std::string &dir() const { return opt_.dir; }

private:
    BasicIpamStore(BasicStoreOptions<Addr> opt, UniqueFd dir_fd, UniqueFd lock_fd)
        : opt_(std::move(opt)), dir_fd_(std::move(dir_fd)), lock_fd_(std::move(lock_fd)) {}

    enum class Slot { Missing, Live, EarlierBoot, Corrupt, CorruptStale, Foreign };
    struct SlotInfo {
        Slot state = Slot::Missing;
        std::optional<Reservation> reservation;
    };
    SlotInfo read_slot(const Addr &ip) const;
    std::vector<Addr> ip_files() const;  // every file named like an address
    Result<std::optional<Addr>> find_locked(const std::string &container_id, const std::string &ifname);
    Status write_temp(const Reservation &r);
    bool usable(const Addr &ip) const;

    BasicStoreOptions<Addr> opt_;
    UniqueFd dir_fd_;
    UniqueFd lock_fd_;
};

using IpamStore = BasicIpamStore<Ipv4>;
using IpamStore6 = BasicIpamStore<Ipv6>;
using GcOutcome = BasicGcOutcome<Ipv4>;

// "c-" + 16 hex digits of a hash of (container, ifname): the index name.
std::string index_name(const std::string &container_id, const std::string &ifname);

}  // namespace podlane::cni
