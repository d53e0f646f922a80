#include "cni_conflist.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "podlane/files.h"
#include "podlane/unique_fd.h"

namespace podlane {
namespace {

std::string installed_path(const std::string &source, const std::string &conf_dir) {
    return (std::filesystem::path(conf_dir) / std::filesystem::path(source).filename()).string();
}

Status write_all(int fd, const std::string &text, const std::string &path) {
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error("write " + path, errno);
        done += static_cast<std::size_t>(n);
    }
    return {};
}

}  // namespace

Result<std::string> install_cni_conflist(const std::string &source, const std::string &conf_dir) {
    auto text = read_file(source);
    if (!text) return text.error().wrap("CNI network list");
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("plugins"))
        return Error{"CNI network list " + source + ": not a network list (a JSON object with \"plugins\")", EINVAL};

    std::string dest = installed_path(source, conf_dir);
    std::string temp =
        (std::filesystem::path(conf_dir) / ("." + std::filesystem::path(source).filename().string() + ".podlaned"))
            .string();
    // A leftover of a crash between create and rename: ours to replace.
    ::unlink(temp.c_str());
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid()) return errno_error("create " + temp + " (is the CNI config dir mounted writable?)", errno);
    if (auto st = write_all(fd.get(), *text, temp); !st) {
        ::unlink(temp.c_str());
        return st.error();
    }
    if (::fsync(fd.get()) != 0) {
        int err = errno;
        ::unlink(temp.c_str());
        return errno_error("fsync " + temp, err);
    }
    fd.reset();
    if (::rename(temp.c_str(), dest.c_str()) != 0) {
        int err = errno;
        ::unlink(temp.c_str());
        return errno_error("rename " + temp + " to " + dest, err);
    }
    return dest;
}

Status remove_cni_conflist(const std::string &source, const std::string &conf_dir) {
    std::string dest = installed_path(source, conf_dir);
    if (::unlink(dest.c_str()) != 0 && errno != ENOENT) return errno_error("remove " + dest, errno);
    return {};
}

}  // namespace podlane
