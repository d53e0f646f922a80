// read_file refuses what is not a small regular file, at once.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "podlane/files.h"

namespace {

class ReadFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/podlane-files-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::string cmd = "rm -rf '" + dir_ + "'";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
    }
    std::string write(const std::string &name, const std::string &content) {
        std::string path = dir_ + "/" + name;
        std::ofstream(path) << content;
        return path;
    }
    std::string dir_;
};

TEST_F(ReadFileTest, ReadsARegularFileWhole) {
    auto text = podlane::read_file(write("a.json", "{\"x\": 1}\n"));
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, "{\"x\": 1}\n");
}

TEST_F(ReadFileTest, RefusesAFifoWithoutWaitingForAWriter) {
    std::string path = dir_ + "/fifo";
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    auto start = std::chrono::steady_clock::now();
    auto text = podlane::read_file(path);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find("not a regular file"), std::string::npos) << text.error().message;
}

TEST_F(ReadFileTest, RefusesADevice) {
    auto text = podlane::read_file("/dev/zero");
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find("not a regular file"), std::string::npos) << text.error().message;
}

TEST_F(ReadFileTest, RefusesMoreThanTheCap) {
    auto path = write("big", std::string(5000, 'x'));
    auto text = podlane::read_file(path, {.max_bytes = 4096});
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().errnum, EFBIG);
    EXPECT_TRUE(podlane::read_file(path, {.max_bytes = 5000}));
}

TEST_F(ReadFileTest, FollowsSymlinksOnlyWhenAsked) {
    auto target = write("target", "x");
    std::string link = dir_ + "/link";
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
    EXPECT_TRUE(podlane::read_file(link));
    auto refused = podlane::read_file(link, {.follow_symlinks = false});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().errnum, ELOOP);
}

TEST_F(ReadFileTest, NamesAMissingFile) {
    auto text = podlane::read_file(dir_ + "/missing.json");
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().errnum, ENOENT);
    EXPECT_NE(text.error().message.find("missing.json"), std::string::npos);
}

}  // namespace
