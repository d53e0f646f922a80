#include "skeleton_loader.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>

namespace podlane {
namespace {

// libbpf's print callback takes no user data: the loader of this thread, if
// any, is where its messages go.
thread_local std::string *libbpf_capture = nullptr;

constexpr size_t kCaptureBytes = 16384;
// The verifier states its reason in the last lines of its log, after the
// instructions that led there; whole lines read better than a cut at a
// character count (the router used 3,000 characters, the node 25 lines).
constexpr size_t kTailLines = 25;

int capture_print(enum libbpf_print_level level, const char *fmt, va_list args) {
    if (!libbpf_capture || level == LIBBPF_DEBUG) return 0;
    char line[1024];
    vsnprintf(line, sizeof line, fmt, args);
    *libbpf_capture += line;
    if (libbpf_capture->size() > kCaptureBytes) libbpf_capture->erase(0, libbpf_capture->size() - kCaptureBytes);
    return 0;
}

std::string last_lines(const std::string &text, size_t lines) {
    size_t pos = text.size();
    for (size_t n = 0; n <= lines && pos != std::string::npos && pos > 0; n++) pos = text.rfind('\n', pos - 1);
    return pos == std::string::npos ? text : text.substr(pos + 1);
}

}  // namespace

SkeletonLoader::SkeletonLoader(std::string pin_dir, std::string detach_command)
    : pin_dir_(std::move(pin_dir)),
      detach_command_(std::move(detach_command)),
      previous_print_(libbpf_set_print(capture_print)) {
    libbpf_capture = &log_;
}

SkeletonLoader::~SkeletonLoader() {
    libbpf_capture = nullptr;
    libbpf_set_print(previous_print_);
}

Error SkeletonLoader::load_error(const char *what, int err) const {
    Error e = errno_error(std::string("load BPF program ") + what + " (pins in " + pin_dir_ + ")", -err);
    if (err == -EINVAL && log_.find("couldn't reuse pinned map") != std::string::npos)
        e.message += "; a pinned map has another layout: remove it with `" + detach_command_ + "`";
    e.message += "\n--- libbpf/verifier log (tail) ---\n" + last_lines(log_, kTailLines);
    return e;
}

}  // namespace podlane
