// Opens and loads bpftool-generated skeletons with their maps pinned under one
// directory (created or reused), for both roles. While a loader lives it
// captures what libbpf says, so a failed load carries the end of the
// verifier log.
#pragma once

#include <bpf/libbpf.h>

#include <memory>
#include <string>

#include "podlane/result.h"

namespace podlane {

template <typename Skel>
struct SkelDeleter {
    void operator()(Skel *s) const { Skel::destroy(s); }
};
template <typename Skel>
using SkelPtr = std::unique_ptr<Skel, SkelDeleter<Skel>>;

class SkeletonLoader {
public:
    // detach_command: what removes this role's pins, named when a pinned
    // map's layout no longer matches the program's.
    SkeletonLoader(std::string pin_dir, std::string detach_command);
    ~SkeletonLoader();  // gives libbpf its previous print function back
    SkeletonLoader(const SkeletonLoader &) = delete;
    SkeletonLoader &operator=(const SkeletonLoader &) = delete;

    // open -> prepare (set rodata, adopt maps; returns Status) -> load.
    template <typename Skel, typename Prepare>
    Result<SkelPtr<Skel>> load(const char *what, Prepare prepare) {
        LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir_.c_str());
        SkelPtr<Skel> skel(Skel::open(&opts));
        if (!skel) return errno_error(std::string("open BPF object ") + what, errno);
        if (Status st = prepare(*skel); !st) return st.error();
        if (int err = Skel::load(skel.get()); err) return load_error(what, err);
        return skel;
    }
    template <typename Skel>
    Result<SkelPtr<Skel>> load(const char *what) {
        return load<Skel>(what, [](Skel &) { return Status{}; });
    }

private:
    Error load_error(const char *what, int err) const;

    std::string pin_dir_;
    std::string detach_command_;
    std::string log_;  // libbpf's messages while this loader lives (bounded)
    libbpf_print_fn_t previous_print_;
};

}  // namespace podlane
