// podlaned --cni-conflist: the network list appears whole, only when valid.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cni_conflist.h"

namespace {

namespace fs = std::filesystem;

class CniConflistTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/podlane-conflist-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        fs::create_directory(dir_ / "net.d");
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string write(const std::string &name, const std::string &content) {
        std::ofstream(dir_ / name) << content;
        return (dir_ / name).string();
    }
    std::string read(const fs::path &p) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    std::size_t entries_in_conf_dir() {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_ / "net.d"), {}));
    }
    fs::path dir_;
};

const char *kList = R"({"cniVersion": "1.0.0", "name": "podlane", "plugins": [{"type": "podlane"}]})";

TEST_F(CniConflistTest, InstallsTheListUnderItsOwnName) {
    auto source = write("10-podlane.conflist", kList);
    auto installed = podlane::install_cni_conflist(source, (dir_ / "net.d").string());
    ASSERT_TRUE(installed) << installed.error().message;
    EXPECT_EQ(*installed, (dir_ / "net.d" / "10-podlane.conflist").string());
    EXPECT_EQ(read(*installed), kList);
    EXPECT_EQ(entries_in_conf_dir(), 1u) << "the temporary file was left behind";

    // Again (a restart): replaced in place, still one file.
    ASSERT_TRUE(podlane::install_cni_conflist(source, (dir_ / "net.d").string()));
    EXPECT_EQ(entries_in_conf_dir(), 1u);

    ASSERT_TRUE(podlane::remove_cni_conflist(source, (dir_ / "net.d").string()));
    EXPECT_EQ(entries_in_conf_dir(), 0u);
    EXPECT_TRUE(podlane::remove_cni_conflist(source, (dir_ / "net.d").string())) << "absent must be fine";
}

TEST_F(CniConflistTest, RefusesWhatIsNotANetworkListAndInstallsNothing) {
    for (const char *bad : {"{not json", "[]", R"({"name": "x"})"}) {
        auto source = write("10-podlane.conflist", bad);
        auto installed = podlane::install_cni_conflist(source, (dir_ / "net.d").string());
        ASSERT_FALSE(installed) << bad;
        EXPECT_NE(installed.error().message.find("network list"), std::string::npos) << installed.error().message;
        EXPECT_EQ(entries_in_conf_dir(), 0u) << bad;
    }
}

TEST_F(CniConflistTest, NamesAConfDirItCannotWrite) {
    auto source = write("10-podlane.conflist", kList);
    auto installed = podlane::install_cni_conflist(source, (dir_ / "missing").string());
    ASSERT_FALSE(installed);
    EXPECT_NE(installed.error().message.find("missing"), std::string::npos) << installed.error().message;
}

}  // namespace
