// podlaned's start line, and the removal of pins an older version left.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "start_report.h"

namespace podlane {
namespace {

RouteEntry route(const char *cidr) {
    return {*Cidr::parse(cidr), {}};
}

TEST(StartReport, OneLineWithEveryCount) {
    StartReport r;
    r.routes_found = 4;
    r.routes = RouteDiff{{route("10.244.4.0/24")}, {}, {route("10.244.9.0/24")}};
    r.endpoints_kept = 2;
    r.endpoints_stale = 1;
    r.neighbours_kept = 2;
    r.neighbours_removed = 1;
    r.programs_attached = 5;
    r.old_pins_removed = {"pl_stats_v1"};
    EXPECT_EQ(r.line(),
              "start: adopted 3 routes, removed 1 stale route, updated 0, added 1; endpoints: 2 adopted, 1 stale "
              "removed, 0 registered from the IPAM store; neighbour entries: 2 kept, 1 stale removed; 5 programs "
              "attached; 1 pin of an older layout removed (pl_stats_v1)");
}

TEST(StartReport, WithADatastoreTheRoutesWaitForItsFirstList) {
    StartReport r;
    r.routes_found = 1;
    const auto line = r.line();
    EXPECT_NE(line.find("kept 1 route until the datastore's first list"), std::string::npos) << line;
    EXPECT_NE(line.find("neighbour entries: checked at the first node list"), std::string::npos) << line;
}

TEST(StartReport, OnlyOlderVersionsOfCurrentPinsAreRemoved) {
    auto dir = std::filesystem::temp_directory_path() / ("pl-start-report-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (const char *name : {"pl_stats_v1", "pl_stats_v2", "pl_routes_v1", "pl_future_v1", "prog_from_pod",
                             "pl_routes_v2_backup", "notes"})
        std::ofstream(dir / name) << "x";
    auto removed = remove_old_layout_pins(dir.string(), {"pl_stats_v2", "pl_routes_v1"});
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_EQ(*removed, std::vector<std::string>{"pl_stats_v1"});
    for (const char *kept :
         {"pl_stats_v2", "pl_routes_v1", "pl_future_v1", "prog_from_pod", "pl_routes_v2_backup", "notes"})
        EXPECT_TRUE(std::filesystem::exists(dir / kept)) << kept;
    EXPECT_FALSE(std::filesystem::exists(dir / "pl_stats_v1"));
    std::filesystem::remove_all(dir);
}

TEST(StartReport, CurrentNamesAreTheAbiHeaders) {
    auto names = current_pin_names();
    EXPECT_NE(std::find(names.begin(), names.end(), std::string(PODLANE_MAP_STATS)), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), std::string(PODLANE_MAP_ROUTES)), names.end());
}

}  // namespace
}  // namespace podlane
