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

struct StoreOptions {
    std::string dir;
    Cidr range;    // addresses come from here, never network/broadcast
    Ipv4 gateway;  // never handed out
    BootInfo boot;
    std::chrono::milliseconds lock_timeout{10000};
};

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

struct GcOutcome {
    // Removed reservations; earlier-boot files that did not parse have empty IDs.
    std::vector<Reservation> removed;
    // Unparseable files written during this boot: kept, their pod may run.
    std::vector<Ipv4> unreadable_kept;
    // Paths of entries podlane did not make: skipped, for a human to look at.
    std::vector<std::string> foreign;
};

class IpamStore {
public:
    // Creates the folder if needed. Refuses (errors naming the folder and
    // the fix) a dataDir or store folder that is a symlink, a store folder
    // not owned by root or our euid or writable by group/others (dataDir:
    // unless sticky), and a lock file that is a symlink or not a file.
    static Result<IpamStore> open(StoreOptions options);

    // A free address for (container, ifname). errnum ENOSPC when the range is
    // exhausted (nothing is left behind), EAGAIN when the lock times out.
    Result<Ipv4> allocate(const std::string &container_id, const std::string &ifname);
    // The released address, nullopt when it had none (DEL is idempotent).
    Result<std::optional<Ipv4>> release(const std::string &container_id, const std::string &ifname);
    Result<std::optional<Ipv4>> find(const std::string &container_id, const std::string &ifname);
    Result<StoreUsage> usage();
    // Every parseable reservation of any boot.
    Result<std::vector<Reservation>> reservations();
    // GC: removes every reservation for which keep() is false, and
    // unparseable files older than this boot. Skips (and reports) foreign
    // entries and unparseable files of this boot instead of failing on them.
    Result<GcOutcome> release_unless(const std::function<bool(const Reservation &)> &keep);

    const std::string &dir() const { return opt_.dir; }

private:
    IpamStore(StoreOptions opt, UniqueFd dir_fd, UniqueFd lock_fd)
        : opt_(std::move(opt)), dir_fd_(std::move(dir_fd)), lock_fd_(std::move(lock_fd)) {}

    enum class Slot { Missing, Live, EarlierBoot, Corrupt, CorruptStale, Foreign };
    struct SlotInfo {
        Slot state = Slot::Missing;
        std::optional<Reservation> reservation;
    };
    SlotInfo read_slot(Ipv4 ip) const;
    std::vector<Ipv4> ip_files() const;  // every file named like an address
    Result<std::optional<Ipv4>> find_locked(const std::string &container_id, const std::string &ifname);
    Status write_temp(const Reservation &r);
    bool usable(Ipv4 ip) const;

    StoreOptions opt_;
    UniqueFd dir_fd_;
    UniqueFd lock_fd_;
};

// "c-" + 16 hex digits of a hash of (container, ifname): the index name.
std::string index_name(const std::string &container_id, const std::string &ifname);

}  // namespace podlane::cni
