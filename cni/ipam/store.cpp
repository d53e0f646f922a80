#include "store.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "file_lock.h"

namespace podlane::cni {
namespace {

constexpr const char *kTemp = "reserve.tmp";
constexpr const char *kLast = "last";
constexpr const char *kLastTemp = "last.tmp";

uint64_t fnv1a(const std::string &s, uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::optional<std::string> read_link_at(int dir_fd, const char *name) {
    char buf[64];
    ssize_t n = readlinkat(dir_fd, name, buf, sizeof buf - 1);
    if (n <= 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
}

// Reservations are a few hundred bytes (the plugin caps container IDs);
// anything much larger is not one of ours.
constexpr size_t kMaxReservationBytes = 64 * 1024;

std::optional<std::string> read_small_file(int fd) {
    std::string content;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) return content;
        if (content.size() + static_cast<size_t>(n) > kMaxReservationBytes) return std::nullopt;
        content.append(buf, static_cast<size_t>(n));
    }
}

// Replaces name with a symlink to target (atomic via rename).
Status put_link_at(int dir_fd, const std::string &target, const std::string &name, const std::string &dir) {
    std::string temp = name + ".tmp";  // "last.tmp" for the hint
    unlinkat(dir_fd, temp.c_str(), 0);
    if (symlinkat(target.c_str(), dir_fd, temp.c_str()) != 0) return errno_error("create " + dir + "/" + temp, errno);
    if (renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0)
        return errno_error("rename to " + dir + "/" + name, errno);
    return {};
}

Error folder_open_error(const std::string &what, const std::string &path, int err) {
    if (err == ELOOP || err == ENOTDIR)
        return Error{"open " + what + " " + path +
                         ": it is a symlink or not a directory; podlane needs a real directory there (point dataDir "
                         "at the link's target, or remove the link)",
                     err};
    return errno_error("open " + what + " " + path, err);
}

// Whoever can write into the store can forge or remove reservations: it must
// be ours (root, or the user running the plugin) and not writable by group
// or others. dataDir may be writable by others if sticky (like /tmp): then
// only its owner and ours can rename or remove our folder.
Status check_folder(int fd, const std::string &what, const std::string &path, bool sticky_ok) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return errno_error("stat " + what + " " + path, errno);
    const bool sticky = (st.st_mode & S_ISVTX) != 0;
    if (st.st_uid != 0 && st.st_uid != geteuid())
        return Error{what + " " + path + " is owned by uid " + std::to_string(st.st_uid) + ", not root or uid " +
                         std::to_string(geteuid()) + " running the plugin; chown it, or use another dataDir",
                     EPERM};
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !(sticky_ok && sticky)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return Error{what + " " + path + " is writable by group or others (mode " + mode +
                         "): others could forge or remove reservations; run chmod go-w on it",
                     EPERM};
    }
    return {};
}

}  // namespace

std::optional<Ipv4> AddressFamily<Ipv4>::from_file_name(const char *name) {
    if (name[0] < '0' || name[0] > '9') return std::nullopt;
    auto ip = Ipv4::parse(name);
    if (!ip || ip->str() != name) return std::nullopt;
    return *ip;
}

std::optional<uint64_t> AddressFamily<Ipv6>::offset_of(const Cidr6 &r, const Ipv6 &ip) {
    if (!r.contains(ip)) return std::nullopt;
    // Offsets above kMaxOffset are never handed out: only the low 16 bits
    // may differ from the network address.
    const Ipv6 net = r.network();
    for (size_t i = 0; i < 14; i++)
        if (ip.bytes[i] != net.bytes[i]) return std::nullopt;
    return (uint64_t{ip.bytes[14]} << 8 | ip.bytes[15]) - (uint64_t{net.bytes[14]} << 8 | net.bytes[15]);
}

std::optional<Ipv6> AddressFamily<Ipv6>::from_file_name(const char *name) {
    if (!std::strchr(name, ':')) return std::nullopt;
    auto ip = Ipv6::parse(name);
    if (!ip || ip->str() != name) return std::nullopt;
    return *ip;
}

std::string index_name(const std::string &container_id, const std::string &ifname) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "c-%016llx",
                  static_cast<unsigned long long>(fnv1a(ifname, fnv1a(container_id + '\0'))));
    return buf;
}

template <typename Addr>
Result<BasicIpamStore<Addr>> BasicIpamStore<Addr>::open(BasicStoreOptions<Addr> opt) {
    // The plugin runs as root in folders a config names: dataDir and the
    // network's folder are opened without following symlinks, so a link
    // planted there cannot make us create or lock files elsewhere.
    const std::filesystem::path dir_path(opt.dir);
    const std::string parent = dir_path.parent_path();
    const std::string leaf = dir_path.filename();
    if (leaf.empty() || parent.empty())
        return Error{"IPAM store folder " + opt.dir + " must be an absolute path ending in a name", EINVAL};
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return errno_error("create IPAM data folder " + parent, ec.value());
    UniqueFd parent_fd(::open(parent.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!parent_fd.valid()) return folder_open_error("IPAM data folder (dataDir)", parent, errno);
    if (auto st = check_folder(parent_fd.get(), "IPAM data folder (dataDir)", parent, true); !st) return st.error();
    if (mkdirat(parent_fd.get(), leaf.c_str(), 0755) != 0 && errno != EEXIST)
        return errno_error("create IPAM store folder " + opt.dir, errno);
    UniqueFd dir(openat(parent_fd.get(), leaf.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!dir.valid()) return folder_open_error("IPAM store folder", opt.dir, errno);
    if (auto st = check_folder(dir.get(), "IPAM store folder", opt.dir, false); !st) return st.error();

    const std::string lock_path = opt.dir + "/lock";
    UniqueFd lock(openat(dir.get(), "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600));
    if (!lock.valid()) {
        int err = errno;
        if (err == ELOOP)
            return Error{
                "open IPAM lock file " + lock_path + ": it is a symlink, which podlane never creates; remove it", err};
        return errno_error("open IPAM lock file " + lock_path, err);
    }
    struct stat st {};
    if (fstat(lock.get(), &st) != 0) return errno_error("stat IPAM lock file " + lock_path, errno);
    if (!S_ISREG(st.st_mode)) return Error{"IPAM lock file " + lock_path + " is not a regular file; remove it", EINVAL};
    return BasicIpamStore(std::move(opt), std::move(dir), std::move(lock));
}

template <typename Addr>
bool BasicIpamStore<Addr>::usable(const Addr &ip) const {
    auto offset = Family::offset_of(opt_.range, ip);
    return offset && *offset >= Family::first_offset(opt_.range) && *offset <= Family::last_offset(opt_.range) &&
           !(ip == opt_.gateway);
}

template <typename Addr>
typename BasicIpamStore<Addr>::SlotInfo BasicIpamStore<Addr>::read_slot(const Addr &ip) const {
    SlotInfo info;
    std::string name = ip.str();
    // Non-blocking: a FIFO named like an address would otherwise hang us
    // while we hold the store's lock.
    UniqueFd fd(openat(dir_fd_.get(), name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    if (!fd.valid()) {
        // ENOENT: free. Anything else (a symlink, EACCES) we did not make:
        // keep our hands off the address.
        info.state = errno == ENOENT ? Slot::Missing : Slot::Foreign;
        return info;
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        info.state = Slot::Foreign;
        return info;
    }
    // Read whole: a reservation cut at a buffer's size would not match its
    // owner, whose DEL would then leak the address.
    if (auto content = read_small_file(fd.get())) info.reservation = parse_reservation(ip, *content);
    if (info.reservation)
        info.state = info.reservation->boot_id == opt_.boot.boot_id ? Slot::Live : Slot::EarlierBoot;
    else
        info.state = st.st_mtime < opt_.boot.boot_time ? Slot::CorruptStale : Slot::Corrupt;
    return info;
}

template <typename Addr>
std::vector<Addr> BasicIpamStore<Addr>::ip_files() const {
    std::vector<Addr> out;
    int fd = dup(dir_fd_.get());
    if (fd < 0) return out;
    DIR *d = fdopendir(fd);
    if (!d) {
        ::close(fd);
        return out;
    }
    rewinddir(d);
    while (dirent *e = readdir(d)) {
        if (auto ip = Family::from_file_name(e->d_name)) out.push_back(*ip);
    }
    closedir(d);
    return out;
}

template <typename Addr>
Status BasicIpamStore<Addr>::write_temp(const Reservation &r) {
    unlinkat(dir_fd_.get(), kTemp, 0);  // a crash leftover: only the lock holder writes it
    UniqueFd fd(openat(dir_fd_.get(), kTemp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd.valid()) return errno_error("create " + opt_.dir + "/" + kTemp, errno);
    std::string content = format_reservation(r);
    if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
        return errno_error("write " + opt_.dir + "/" + kTemp, errno ? errno : EIO);
    if (fdatasync(fd.get()) != 0) return errno_error("sync " + opt_.dir + "/" + kTemp, errno);
    return {};
}

template <typename Addr>
Result<Addr> BasicIpamStore<Addr>::allocate(const std::string &container_id, const std::string &ifname) {
    auto lock = FileLock::acquire(lock_fd_.get(), "IPAM store " + opt_.dir, opt_.lock_timeout);
    if (!lock) return lock.error();

    if (auto st = write_temp({Addr{}, container_id, ifname, opt_.boot.boot_id}); !st) {
        unlinkat(dir_fd_.get(), kTemp, 0);
        return st.error();
    }

    // Round robin from the address after the last one handed out.
    const uint64_t first = Family::first_offset(opt_.range), last = Family::last_offset(opt_.range);
    uint64_t start = first;
    if (auto hint = read_link_at(dir_fd_.get(), kLast)) {
        auto ip = Family::from_file_name(hint->c_str());
        auto offset = ip ? Family::offset_of(opt_.range, *ip) : std::nullopt;
        if (offset && *offset >= first && *offset < last) start = *offset + 1;
    }
    std::optional<Addr> claimed;
    const uint64_t count = last - first + 1;
    for (uint64_t i = 0; i < count && !claimed; i++) {
        Addr ip = Family::at(opt_.range, first + (start - first + i) % count);
        if (!usable(ip)) continue;
        std::string name = ip.str();
        if (linkat(dir_fd_.get(), kTemp, dir_fd_.get(), name.c_str(), 0) == 0) {
            claimed = ip;
            break;
        }
        if (errno != EEXIST) {
            int err = errno;
            unlinkat(dir_fd_.get(), kTemp, 0);
            return errno_error("reserve " + opt_.dir + "/" + name, err);
        }
        Slot state = read_slot(ip).state;
        if (state == Slot::EarlierBoot || state == Slot::CorruptStale) {
            // Its pod died with an earlier boot: take it over, atomically.
            if (renameat(dir_fd_.get(), kTemp, dir_fd_.get(), name.c_str()) != 0) {
                int err = errno;
                unlinkat(dir_fd_.get(), kTemp, 0);
                return errno_error("reclaim " + opt_.dir + "/" + name, err);
            }
            claimed = ip;
        }
    }
    unlinkat(dir_fd_.get(), kTemp, 0);
    if (!claimed)
        return Error{"pod CIDR " + opt_.range.str() + " is exhausted: every address is reserved (store " + opt_.dir +
                         "); delete unused pods or run CNI GC",
                     ENOSPC};

    // Hints: failures here cost speed, never correctness.
    (void)put_link_at(dir_fd_.get(), claimed->str(), index_name(container_id, ifname), opt_.dir);
    (void)put_link_at(dir_fd_.get(), claimed->str(), kLast, opt_.dir);
    return *claimed;
}

template <typename Addr>
Result<std::optional<Addr>> BasicIpamStore<Addr>::find_locked(const std::string &container_id,
                                                              const std::string &ifname) {
    auto matches = [&](const Addr &ip) {
        auto slot = read_slot(ip);
        return slot.reservation && slot.reservation->container_id == container_id && slot.reservation->ifname == ifname;
    };
    std::string index = index_name(container_id, ifname);
    if (auto target = read_link_at(dir_fd_.get(), index.c_str())) {
        auto ip = Family::from_file_name(target->c_str());
        if (ip && matches(*ip)) return std::optional<Addr>{*ip};
    }
    // No index (a crash between reserve and index, or no reservation at all).
    for (const Addr &ip : ip_files())
        if (matches(ip)) return std::optional<Addr>{ip};
    return std::optional<Addr>{};
}

template <typename Addr>
Result<std::optional<Addr>> BasicIpamStore<Addr>::find(const std::string &container_id, const std::string &ifname) {
    auto lock = FileLock::acquire(lock_fd_.get(), "IPAM store " + opt_.dir, opt_.lock_timeout);
    if (!lock) return lock.error();
    return find_locked(container_id, ifname);
}

template <typename Addr>
Result<std::optional<Addr>> BasicIpamStore<Addr>::release(const std::string &container_id, const std::string &ifname) {
    auto lock = FileLock::acquire(lock_fd_.get(), "IPAM store " + opt_.dir, opt_.lock_timeout);
    if (!lock) return lock.error();
    auto found = find_locked(container_id, ifname);
    if (!found) return found.error();
    std::string index = index_name(container_id, ifname);
    if (*found) {
        std::string name = (*found)->str();
        if (unlinkat(dir_fd_.get(), name.c_str(), 0) != 0 && errno != ENOENT)
            return errno_error("release " + opt_.dir + "/" + name, errno);
    }
    // Also a stale index whose address went to someone else, and what an
    // allocator killed mid-way left (only a lock holder writes these).
    unlinkat(dir_fd_.get(), index.c_str(), 0);
    unlinkat(dir_fd_.get(), (index + ".tmp").c_str(), 0);
    unlinkat(dir_fd_.get(), kTemp, 0);
    unlinkat(dir_fd_.get(), kLastTemp, 0);
    return found;
}

template <typename Addr>
Result<StoreUsage> BasicIpamStore<Addr>::usage() {
    auto lock = FileLock::acquire(lock_fd_.get(), "IPAM store " + opt_.dir, opt_.lock_timeout);
    if (!lock) return lock.error();
    StoreUsage u;
    const uint64_t hosts = Family::last_offset(opt_.range) - Family::first_offset(opt_.range) + 1;
    auto gateway = Family::offset_of(opt_.range, opt_.gateway);
    const bool gateway_inside =
        gateway && *gateway >= Family::first_offset(opt_.range) && *gateway <= Family::last_offset(opt_.range);
    u.capacity = static_cast<unsigned>(hosts - (gateway_inside ? 1 : 0));
    for (const Addr &ip : ip_files()) {
        if (!usable(ip)) continue;
        switch (read_slot(ip).state) {
            case Slot::Live:
                u.live++;
                break;
            case Slot::EarlierBoot:
                u.earlier_boot++;
                break;
            case Slot::Corrupt:
                u.corrupt++;
                break;
            case Slot::CorruptStale:
                u.earlier_boot++;
                break;
            case Slot::Foreign:
                u.foreign.push_back(opt_.dir + "/" + ip.str());
                break;
            case Slot::Missing:
                break;
        }
    }
    return u;
}

template <typename Addr>
Result<std::vector<BasicReservation<Addr>>> BasicIpamStore<Addr>::reservations() {
    auto lock = FileLock::acquire(lock_fd_.get(), "IPAM store " + opt_.dir, opt_.lock_timeout);
    if (!lock) return lock.error();
    std::vector<Reservation> out;
    for (const Addr &ip : ip_files())
        if (auto slot = read_slot(ip); slot.reservation) out.push_back(*slot.reservation);
    return out;
}

template <typename Addr>
Result<BasicGcOutcome<Addr>> BasicIpamStore<Addr>::release_unless(
    const std::function<bool(const Reservation &)> &keep) {
    auto lock = FileLock::acquire(lock_fd_.get(), "IPAM store " + opt_.dir, opt_.lock_timeout);
    if (!lock) return lock.error();
    GcOutcome out;
    for (const Addr &ip : ip_files()) {
        auto slot = read_slot(ip);
        std::string name = ip.str();
        if (slot.state == Slot::Missing) continue;
        // Not ours to delete, and one foreign entry must not stop the rest.
        if (slot.state == Slot::Foreign) {
            out.foreign.push_back(opt_.dir + "/" + name);
            continue;
        }
        // Unreadable but written during this boot: its pod may be running,
        // and without the IDs nobody can tell. A reboot frees it.
        if (slot.state == Slot::Corrupt) {
            out.unreadable_kept.push_back(ip);
            continue;
        }
        Reservation r = slot.reservation ? *slot.reservation : Reservation{ip, "", "", ""};
        if (slot.reservation && keep(r)) continue;
        if (unlinkat(dir_fd_.get(), name.c_str(), 0) != 0 && errno != ENOENT)
            return errno_error("release " + opt_.dir + "/" + name, errno);
        if (slot.reservation) unlinkat(dir_fd_.get(), index_name(r.container_id, r.ifname).c_str(), 0);
        out.removed.push_back(r);
    }
    // Index links whose reservation is gone.
    int fd = dup(dir_fd_.get());
    if (DIR *d = fd >= 0 ? fdopendir(fd) : nullptr) {
        rewinddir(d);
        std::vector<std::string> dangling;
        while (dirent *e = readdir(d)) {
            if (std::string_view(e->d_name).substr(0, 2) != "c-") continue;
            struct stat st {};
            if (fstatat(dir_fd_.get(), e->d_name, &st, 0) != 0 && errno == ENOENT) dangling.emplace_back(e->d_name);
        }
        closedir(d);
        for (const auto &name : dangling) unlinkat(dir_fd_.get(), name.c_str(), 0);
    } else if (fd >= 0) {
        ::close(fd);
    }
    return out;
}

template class BasicIpamStore<Ipv4>;
template class BasicIpamStore<Ipv6>;

}  // namespace podlane::cni
