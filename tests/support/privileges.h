// Helpers for the privileged test tiers.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace podlane::test {

// Why this machine cannot run privileged tests, or "" when it can.
std::string privileged_skip_reason();

// Moves the whole (single-threaded) test process into a fresh network
// namespace, so nothing a test creates can reach the machine's own. Returns
// "" on success or why it failed.
std::string enter_private_netns();

}  // namespace podlane::test

// First line of every privileged test: skips (counted as skipped by ctest)
// with the reason when not root.
#define PODLANE_REQUIRE_ROOT()                                        \
    do {                                                              \
        std::string why_ = ::podlane::test::privileged_skip_reason(); \
        if (!why_.empty()) GTEST_SKIP() << why_;                      \
    } while (0)

namespace podlane::test {
// Mounts bpffs at /sys/fs/bpf if nothing is mounted there; returns "" or why not.
std::string ensure_bpffs();
// A fresh, empty pin directory for one test: /sys/fs/bpf/podlane-test/<name>-<pid>.
// Removed (with everything pinned in it) by remove_pin_dir.
std::string make_test_pin_dir(const std::string &name);
void remove_pin_dir(const std::string &dir);
}  // namespace podlane::test
