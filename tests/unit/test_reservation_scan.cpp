// podlaned's read-only scan of the CNI plugin's IPAM store: this boot's
// reservations only, everything else counted and never trusted.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "podlane/reservation_scan.h"

using namespace podlane;
namespace fs = std::filesystem;

namespace {

class ReservationScanTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("pl-scan-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    void write(const std::string &name, const std::string &content) { std::ofstream(dir_ / name) << content; }
    fs::path dir_;
};

TEST_F(ReservationScanTest, KeepsThisBootsReservationsOnly) {
    write("10.244.1.2", "c1\neth0\nboot-now\n");
    write("10.244.1.3", "c2\neth0\nboot-before\n");
    write("10.244.1.4", "torn\neth0\n");  // unterminated third line missing
    write("lock", "");
    write("reserve.tmp", "c9\neth0\nboot-now\n");
    fs::create_symlink("10.244.1.2", dir_ / "c-abc");
    fs::create_symlink("10.244.1.2", dir_ / "10.244.1.5");        // a reservation is never a symlink
    ASSERT_EQ(::mkfifo((dir_ / "10.244.1.6").c_str(), 0600), 0);  // would block a plain open

    auto scan = scan_reservations(dir_.string(), "boot-now");
    ASSERT_TRUE(scan.ok()) << scan.error().message;
    ASSERT_EQ(scan->live.size(), 1u);
    EXPECT_EQ(scan->live[0], (Reservation{*Ipv4::parse("10.244.1.2"), "c1", "eth0", "boot-now"}));
    EXPECT_EQ(scan->earlier_boot, 1u);
    EXPECT_EQ(scan->unreadable, 3u);
}

TEST_F(ReservationScanTest, MissingStoreIsEmpty) {
    auto scan = scan_reservations((dir_ / "never-created").string(), "boot-now");
    ASSERT_TRUE(scan.ok()) << scan.error().message;
    EXPECT_TRUE(scan->live.empty());
}

}  // namespace
