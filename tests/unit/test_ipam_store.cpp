// The IPAM store: allocation, release, exhaustion, reuse, damaged files,
// concurrent allocators, allocators killed at random points, earlier boots.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "ipam/store.h"

using namespace podlane;
using namespace podlane::cni;
namespace fs = std::filesystem;

namespace {

class IpamStoreTest : public testing::Test {
protected:
    void SetUp() override {
        dir_ = testing::TempDir() + "/ipam-" + std::to_string(getpid()) + "-" +
               testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    StoreOptions options(const std::string &cidr, const std::string &boot = "boot-now") {
        Cidr range = *Cidr::parse(cidr);
        return StoreOptions{dir_, range, range.first_host(), BootInfo{boot, time(nullptr) - 1000},
                            std::chrono::milliseconds(5000)};
    }
    IpamStore store(const std::string &cidr, const std::string &boot = "boot-now") {
        auto s = IpamStore::open(options(cidr, boot));
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
        return std::move(*s);
    }
    // Names in the folder other than the lock and the round-robin hint.
    std::set<std::string> entries() const {
        std::set<std::string> out;
        for (const auto &e : fs::directory_iterator(dir_)) {
            std::string n = e.path().filename();
            if (n != "lock" && n != "last") out.insert(n);
        }
        return out;
    }
    std::set<std::string> ip_files() const {
        std::set<std::string> out;
        for (const auto &n : entries())
            if (n[0] >= '0' && n[0] <= '9') out.insert(n);
        return out;
    }
    void write(const std::string &name, const std::string &content) {
        fs::create_directories(dir_);
        std::ofstream(dir_ + "/" + name) << content;
    }
    void age(const std::string &name, time_t when) {
        utimbuf t{when, when};
        ASSERT_EQ(utime((dir_ + "/" + name).c_str(), &t), 0);
    }

    std::string dir_;
};

// Runs fn in a child process: its exit code (0 when fn returned true), or -1
// when it was still running after the limit (then it is killed). A store
// that blocks on a planted file fails the test instead of hanging it.
int exit_code_within(std::chrono::seconds limit, const std::function<bool()> &fn) {
    pid_t pid = fork();
    if (pid == 0) _exit(fn() ? 0 : 1);
    if (pid < 0) return -2;
    auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(10000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_F(IpamStoreTest, NeverHandsOutNetworkGatewayOrBroadcastAndExhaustsCleanly) {
    auto s = store("10.1.0.0/29");  // .0 network, .1 gateway, .7 broadcast
    std::set<std::string> got;
    for (int i = 0; i < 5; i++) {
        auto ip = s.allocate("c" + std::to_string(i), "eth0");
        ASSERT_TRUE(ip.ok()) << ip.error().message;
        got.insert(ip->str());
    }
    EXPECT_EQ(got, (std::set<std::string>{"10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6"}));
    auto full = s.allocate("c-extra", "eth0");
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().errnum, ENOSPC);
    EXPECT_NE(full.error().message.find("exhausted"), std::string::npos);
    EXPECT_EQ(ip_files(), got) << "a failed allocation leaves nothing behind";
    EXPECT_FALSE(fs::exists(dir_ + "/reserve.tmp"));
    auto u = s.usage();
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->capacity, 5u);
    EXPECT_EQ(u->live, 5u);
    EXPECT_EQ(u->free(), 0u);
}

TEST_F(IpamStoreTest, ReleaseFindAndReuse) {
    auto s = store("10.1.0.0/29");
    auto a = s.allocate("ca", "eth0");
    auto b = s.allocate("cb", "eth0");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(*a, *b);
    EXPECT_EQ(**s.find("ca", "eth0"), *a);
    EXPECT_FALSE(s.find("ca", "eth1")->has_value());

    auto r = s.release("ca", "eth0");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(**r, *a);
    auto again = s.release("ca", "eth0");
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->has_value()) << "second release is a no-op";
    EXPECT_FALSE(s.release("never-seen", "eth0")->has_value());

    // Round robin: the next one is not the address just freed...
    auto c = s.allocate("cc", "eth0");
    ASSERT_TRUE(c.ok());
    EXPECT_NE(*c, *a);
    // ...but a freed address is reused once the others are taken.
    std::set<Ipv4> all{*b, *c};
    for (int i = 0; i < 3; i++) {
        auto ip = s.allocate("f" + std::to_string(i), "eth0");
        ASSERT_TRUE(ip.ok()) << ip.error().message;
        all.insert(*ip);
    }
    EXPECT_EQ(all.size(), 5u);
    EXPECT_TRUE(all.count(*a));
}

TEST_F(IpamStoreTest, FindsReservationsWhoseIndexIsMissing) {
    auto s = store("10.1.0.0/28");
    auto a = s.allocate("ca", "eth0");
    ASSERT_TRUE(a.ok());
    fs::remove(dir_ + "/" + index_name("ca", "eth0"));  // as if killed right after the link()
    EXPECT_EQ(**s.find("ca", "eth0"), *a);
    EXPECT_EQ(**s.release("ca", "eth0"), *a);
    EXPECT_TRUE(ip_files().empty());
}

TEST_F(IpamStoreTest, DamagedFilesFromThisBootAreTakenFromEarlierBootsFree) {
    auto s = store("10.1.0.0/29");                      // usable .2-.6
    write("10.1.0.2", "");                              // empty
    write("10.1.0.3", "cid\neth0\nboot-n");             // torn: last line cut
    write("10.1.0.4", "\x01\x02garbage");               // not ours at all
    write("10.1.0.5", "cid\neth0\nboot-now\nextra\n");  // four lines
    auto u = s.usage();
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->corrupt, 4u);
    EXPECT_EQ(u->free(), 1u);

    auto only = s.allocate("c1", "eth0");
    ASSERT_TRUE(only.ok());
    EXPECT_EQ(only->str(), "10.1.0.6") << "damaged files of this boot may belong to a live pod: keep off";
    EXPECT_EQ(s.allocate("c2", "eth0").error().errnum, ENOSPC);

    // The same damage, but older than this boot: the pods died with the machine.
    age("10.1.0.2", time(nullptr) - 5000);
    age("10.1.0.3", time(nullptr) - 5000);
    auto r1 = s.allocate("c3", "eth0"), r2 = s.allocate("c4", "eth0");
    ASSERT_TRUE(r1.ok() && r2.ok());
    EXPECT_EQ((std::set<std::string>{r1->str(), r2->str()}), (std::set<std::string>{"10.1.0.2", "10.1.0.3"}));
    EXPECT_EQ(**s.find("c3", "eth0"), *r1) << "reclaimed file now holds a full reservation";
}

TEST_F(IpamStoreTest, ReservationsFromAnEarlierBootAreReclaimed) {
    {
        auto before = store("10.1.0.0/29", "boot-old");
        for (int i = 0; i < 5; i++) ASSERT_TRUE(before.allocate("old" + std::to_string(i), "eth0").ok());
        EXPECT_EQ(before.allocate("x", "eth0").error().errnum, ENOSPC);
    }
    // Power loss; the machine comes back with a new boot ID.
    auto after = store("10.1.0.0/29", "boot-new");
    auto u = after.usage();
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->live, 0u);
    EXPECT_EQ(u->earlier_boot, 5u);
    std::set<Ipv4> got;
    for (int i = 0; i < 5; i++) {
        auto ip = after.allocate("new" + std::to_string(i), "eth0");
        ASSERT_TRUE(ip.ok()) << ip.error().message;
        got.insert(*ip);
    }
    EXPECT_EQ(got.size(), 5u);
    // The old pod's DEL (a runtime cleaning up after the reboot) must not
    // release the address that now belongs to a new pod.
    auto del_old = after.release("old0", "eth0");
    ASSERT_TRUE(del_old.ok());
    EXPECT_FALSE(del_old->has_value());
    EXPECT_EQ(ip_files().size(), 5u);
}

TEST_F(IpamStoreTest, GcReleasesAllButValidAttachments) {
    auto s = store("10.1.0.0/28");
    for (auto id : {"keep1", "drop1", "keep2", "drop2"}) ASSERT_TRUE(s.allocate(id, "eth0").ok());
    write("10.1.0.13", "junk");
    age("10.1.0.13", time(nullptr) - 5000);  // from before this boot: nobody's
    auto removed = s.release_unless([](const Reservation &r) { return r.container_id.rfind("keep", 0) == 0; });
    ASSERT_TRUE(removed.ok());
    EXPECT_EQ(removed->removed.size(), 3u);
    auto left = s.reservations();
    ASSERT_TRUE(left.ok());
    ASSERT_EQ(left->size(), 2u);
    for (const auto &r : *left) EXPECT_EQ(r.container_id.substr(0, 4), "keep");
    for (const auto &n : entries()) EXPECT_TRUE(n[0] != 'c' || s.find("keep1", "eth0")->has_value()) << n;
    EXPECT_EQ(entries().size(), 4u) << "two reservations and their two index links";
}

TEST_F(IpamStoreTest, LockHeldTooLongIsTryAgainLater) {
    auto opt = options("10.1.0.0/28");
    opt.lock_timeout = std::chrono::milliseconds(50);
    auto s = IpamStore::open(opt);
    ASSERT_TRUE(s.ok());
    int fd = ::open((dir_ + "/lock").c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(flock(fd, LOCK_EX), 0);
    auto ip = s->allocate("c", "eth0");
    ASSERT_FALSE(ip.ok());
    EXPECT_EQ(ip.error().errnum, EAGAIN);
    ::close(fd);
    EXPECT_TRUE(s->allocate("c", "eth0").ok());
}

TEST_F(IpamStoreTest, ConcurrentProcessesGetUniqueAddresses) {
    constexpr int kProcs = 8, kEach = 6;
    {
        auto s = store("10.1.0.0/26");  // 61 usable, 48 wanted
    }
    std::vector<pid_t> kids;
    for (int p = 0; p < kProcs; p++) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            auto s = IpamStore::open(options("10.1.0.0/26"));
            int bad = !s.ok();
            for (int i = 0; s.ok() && i < kEach; i++)
                bad += !s->allocate("p" + std::to_string(p) + "-" + std::to_string(i), "eth0").ok();
            _exit(bad);
        }
        kids.push_back(pid);
    }
    for (pid_t pid : kids) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    auto s = store("10.1.0.0/26");
    auto all = s.reservations();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), size_t{kProcs * kEach});
    std::set<std::string> owners;
    for (const auto &r : *all) owners.insert(r.container_id);
    EXPECT_EQ(owners.size(), size_t{kProcs * kEach}) << "every container once";
    EXPECT_EQ(ip_files().size(), size_t{kProcs * kEach}) << "every address once";
}

TEST_F(IpamStoreTest, KilledAtRandomPointsNeverDuplicatesNorLeaks) {
    constexpr int kRounds = 150;
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> delay_us(0, 400);
    { auto s = store("10.1.0.0/24"); }
    int killed_mid_way = 0;
    for (int round = 0; round < kRounds; round++) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            auto s = IpamStore::open(options("10.1.0.0/24"));
            // Allocate and release in a loop so kill -9 lands anywhere in both.
            for (int i = 0; s.ok(); i++) {
                std::string id = "k" + std::to_string(round) + "-" + std::to_string(i);
                if (!s->allocate(id, "eth0").ok()) _exit(2);
                if (i % 2 == 0 && !s->release(id, "eth0").ok()) _exit(3);
            }
            _exit(1);
        }
        usleep(static_cast<useconds_t>(delay_us(rng)));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status))
            killed_mid_way++;
        else
            FAIL() << "child exited with " << WEXITSTATUS(status);
    }
    EXPECT_EQ(killed_mid_way, kRounds);

    auto s = store("10.1.0.0/24");
    // No duplicate: every address file is one whole reservation, each
    // (container, ifname) owns at most one address.
    auto all = s.reservations();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), ip_files().size()) << "no torn or half-written reservation";
    std::set<std::string> owners;
    for (const auto &r : *all) EXPECT_TRUE(owners.insert(r.container_id).second) << "duplicate " << r.container_id;
    // No leak: the runtime's DEL (or GC) for the killed containers frees
    // everything, and then the whole range is allocatable again.
    for (const auto &r : *all) {
        auto released = s.release(r.container_id, r.ifname);
        ASSERT_TRUE(released.ok());
        EXPECT_EQ(**released, r.ip);
    }
    EXPECT_TRUE(ip_files().empty());
    auto u = s.usage();
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->free(), u->capacity);
    for (unsigned i = 0; i < u->capacity; i++) ASSERT_TRUE(s.allocate("after" + std::to_string(i), "eth0").ok()) << i;
    EXPECT_EQ(s.allocate("one-too-many", "eth0").error().errnum, ENOSPC);
    EXPECT_FALSE(fs::exists(dir_ + "/reserve.tmp"));
}

TEST_F(IpamStoreTest, FifoNamedLikeAnAddressIsSkippedNotWaitedOn) {
    auto s = store("10.1.0.0/29");
    ASSERT_EQ(mkfifo((dir_ + "/10.1.0.2").c_str(), 0600), 0);
    // The first address tried is .2: opening the FIFO for reading would wait
    // for a writer forever, with the store's lock held.
    int rc = exit_code_within(std::chrono::seconds(5), [&] {
        auto ip = s.allocate("c1", "eth0");
        auto u = s.usage();
        auto found = s.find("c1", "eth0");
        return ip.ok() && ip->str() == "10.1.0.3" && u.ok() && found.ok() && found->has_value();
    });
    EXPECT_EQ(rc, 0) << (rc == -1 ? "hung on the FIFO" : "wrong address or error");
}

TEST_F(IpamStoreTest, LongContainerIdsAreFoundAndReleased) {
    auto s = store("10.1.0.0/29");
    const std::string long_id(1100, 'a');  // the reservation is over 1 KiB
    auto ip = s.allocate(long_id, "eth0");
    ASSERT_TRUE(ip.ok()) << ip.error().message;
    auto found = s.find(long_id, "eth0");
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(found->has_value()) << "a reservation read in part does not match its owner";
    auto released = s.release(long_id, "eth0");
    ASSERT_TRUE(released.ok());
    EXPECT_EQ(released->value_or(Ipv4{}), *ip);
    EXPECT_TRUE(ip_files().empty()) << "the address leaked";
}

TEST_F(IpamStoreTest, PlantedSymlinksAndForeignFoldersAreRefused) {
    const std::string victim = dir_ + "-victim";
    fs::remove_all(victim);
    // A symlink planted as the lock: root must not create the file it names.
    fs::create_directories(dir_);
    fs::create_symlink(victim, dir_ + "/lock");
    auto opened = IpamStore::open(options("10.1.0.0/29"));
    ASSERT_FALSE(opened.ok());
    EXPECT_NE(opened.error().message.find("symlink"), std::string::npos) << opened.error().message;
    EXPECT_FALSE(fs::exists(victim)) << "the planted lock link was followed";
    fs::remove_all(dir_);

    // The store folder, or dataDir, a symlink to somewhere else.
    fs::create_directories(victim);
    fs::create_symlink(victim, dir_);
    opened = IpamStore::open(options("10.1.0.0/29"));
    ASSERT_FALSE(opened.ok()) << "store folder is a symlink";
    EXPECT_NE(opened.error().message.find("symlink"), std::string::npos) << opened.error().message;
    auto nested = options("10.1.0.0/29");
    nested.dir = dir_ + "/net1";  // dataDir is the symlink
    opened = IpamStore::open(nested);
    ASSERT_FALSE(opened.ok()) << "dataDir is a symlink";
    EXPECT_NE(opened.error().message.find("dataDir"), std::string::npos) << opened.error().message;
    EXPECT_TRUE(fs::is_empty(victim)) << "nothing was created through the link";
    fs::remove(dir_);
    fs::remove_all(victim);

    // A store folder anyone may write to.
    fs::create_directories(dir_);
    ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);
    opened = IpamStore::open(options("10.1.0.0/29"));
    ASSERT_FALSE(opened.ok()) << "world-writable store folder";
    EXPECT_NE(opened.error().message.find("chmod go-w"), std::string::npos) << opened.error().message;
    // A dataDir that is world-writable without the sticky bit.
    nested.dir = dir_ + "/net1";
    opened = IpamStore::open(nested);
    ASSERT_FALSE(opened.ok()) << "world-writable dataDir";
    ASSERT_EQ(chmod(dir_.c_str(), 01777), 0);
    opened = IpamStore::open(nested);
    EXPECT_TRUE(opened.ok()) << "a sticky dataDir like /tmp is fine: " << opened.error().message;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
    fs::remove_all(dir_ + "/net1");

    // A store folder someone else owns (needs root to set up).
    if (geteuid() == 0) {
        ASSERT_EQ(chown(dir_.c_str(), 12345, 12345), 0);
        opened = IpamStore::open(options("10.1.0.0/29"));
        ASSERT_FALSE(opened.ok()) << "store folder of another user";
        EXPECT_NE(opened.error().message.find("owned by uid 12345"), std::string::npos) << opened.error().message;
    }
}

TEST_F(IpamStoreTest, GcSkipsForeignEntriesAndKeepsUnreadableReservationsOfThisBoot) {
    auto s = store("10.1.0.0/28");
    ASSERT_TRUE(s.allocate("gone", "eth0").ok());  // .2
    fs::create_directories(dir_ + "/10.1.0.5");    // a folder named like an address: EISDIR on unlink
    ASSERT_EQ(mkfifo((dir_ + "/10.1.0.6").c_str(), 0600), 0);
    fs::create_symlink("/etc/hostname", dir_ + "/10.1.0.7");
    write("10.1.0.8", "torn\neth0\nboo");  // this boot: its pod may be running
    write("10.1.0.9", "torn\neth0\nboo");
    age("10.1.0.9", time(nullptr) - 5000);  // an earlier boot: free

    auto gc = s.release_unless([](const Reservation &) { return false; });
    ASSERT_TRUE(gc.ok()) << "GC must not stop at a foreign entry: " << gc.error().message;
    std::set<std::string> removed;
    for (const auto &r : gc->removed) removed.insert(r.ip.str());
    EXPECT_EQ(removed, (std::set<std::string>{"10.1.0.2", "10.1.0.9"}));
    EXPECT_EQ(gc->unreadable_kept, std::vector<Ipv4>{*Ipv4::parse("10.1.0.8")});
    EXPECT_EQ(std::set<std::string>(gc->foreign.begin(), gc->foreign.end()),
              (std::set<std::string>{dir_ + "/10.1.0.5", dir_ + "/10.1.0.6", dir_ + "/10.1.0.7"}));
    EXPECT_EQ(ip_files(), (std::set<std::string>{"10.1.0.5", "10.1.0.6", "10.1.0.7", "10.1.0.8"}));

    auto u = s.usage();
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->foreign.size(), 3u);
    EXPECT_EQ(u->corrupt, 1u);
    EXPECT_EQ(u->free(), u->capacity - 4) << "foreign entries are not handed out";
}

// The IPv6 store: the same layout and guarantees, over offsets 1..65535 of
// the range (never the subnet-router anycast address nor the gateway).
class IpamStore6Test : public IpamStoreTest {
protected:
    IpamStore6 store6(const std::string &cidr, const std::string &boot = "boot-now") {
        Cidr6 range = *Cidr6::parse(cidr);
        auto s = IpamStore6::open(StoreOptions6{dir_, range, range.at(1), BootInfo{boot, time(nullptr) - 1000},
                                                std::chrono::milliseconds(5000)});
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
        return std::move(*s);
    }
    std::set<std::string> ip6_files() const {
        std::set<std::string> out;
        for (const auto &n : entries())
            if (n.find(':') != std::string::npos) out.insert(n);
        return out;
    }
};

TEST_F(IpamStore6Test, HandsOutOffsetsAfterTheGatewayAndExhaustsCleanly) {
    auto s = store6("fd00:10:244:1::/125");  // ::0 anycast, ::1 gateway, ::2-::7
    std::set<std::string> got;
    for (int i = 0; i < 6; i++) {
        auto ip = s.allocate("c" + std::to_string(i), "eth0");
        ASSERT_TRUE(ip.ok()) << ip.error().message;
        got.insert(ip->str());
    }
    EXPECT_EQ(got, (std::set<std::string>{"fd00:10:244:1::2", "fd00:10:244:1::3", "fd00:10:244:1::4",
                                          "fd00:10:244:1::5", "fd00:10:244:1::6", "fd00:10:244:1::7"}));
    auto full = s.allocate("c-extra", "eth0");
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().errnum, ENOSPC);
    EXPECT_EQ(ip6_files(), got) << "a failed allocation leaves nothing behind";
    auto u = s.usage();
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->capacity, 6u);
    EXPECT_EQ(u->free(), 0u);
    // Release, find, round robin, as for IPv4.
    auto freed = s.release("c2", "eth0");
    ASSERT_TRUE(freed.ok() && freed->has_value());
    EXPECT_FALSE(s.find("c2", "eth0")->has_value());
    auto again = s.allocate("c-new", "eth0");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, **freed) << "the only free address";
    EXPECT_EQ(**s.find("c-new", "eth0"), *again);
}

TEST_F(IpamStore6Test, ASlash64IsScannedOnlyUpToOffset65535) {
    auto s = store6("fd00:10:244:1::/64");
    auto u = s.usage();
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->capacity, 65534u) << "offsets 1..65535 less the gateway";
    auto a = s.allocate("ca", "eth0");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->str(), "fd00:10:244:1::2");
    // A file for an address beyond the window is ignored, not trusted.
    write("fd00:10:244:1::1:0", "cx\neth0\nboot-now\n");
    write("fd00:10:244:1:0:0:0:3", "cy\neth0\nboot-now\n");  // not canonical text: not ours
    auto all = s.reservations();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 2u) << "::1:0 is named like an address (GC may remove it), the other is not";
    auto b = s.allocate("cb", "eth0");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->str(), "fd00:10:244:1::3");
}

TEST_F(IpamStore6Test, EarlierBootReclaimedAndGcKeepsValidAttachments) {
    {
        auto before = store6("fd00:10:244:1::/125", "boot-old");
        for (int i = 0; i < 6; i++) ASSERT_TRUE(before.allocate("old" + std::to_string(i), "eth0").ok());
        EXPECT_EQ(before.allocate("x", "eth0").error().errnum, ENOSPC);
    }
    auto after = store6("fd00:10:244:1::/125", "boot-new");
    EXPECT_EQ(after.usage()->earlier_boot, 6u);
    for (auto id : {"keep1", "drop1", "keep2"}) ASSERT_TRUE(after.allocate(id, "eth0").ok()) << id;
    auto removed = after.release_unless([](const Reservation6 &r) { return r.container_id.rfind("keep", 0) == 0; });
    ASSERT_TRUE(removed.ok());
    EXPECT_EQ(removed->removed.size(), 4u) << "drop1 and the three old reservations left";
    auto left = after.reservations();
    ASSERT_TRUE(left.ok());
    ASSERT_EQ(left->size(), 2u);
    for (const auto &r : *left) EXPECT_EQ(r.container_id.substr(0, 4), "keep");
}

TEST(IpamStoreDirs, TheIpv6StoreIsBesideTheIpv4One) {
    EXPECT_EQ(ipv6_store_dir("/var/lib/cni/podlane/pods"), "/var/lib/cni/podlane/pods@ipv6");
}
