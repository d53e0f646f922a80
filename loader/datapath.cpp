#include "datapath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/stat.h>

#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include "kernel_features.h"
#include "podlane/abi/maps.h"
#include "tc_from_pod.skel.h"
#include "tc_from_pod_bypass.skel.h"
#include "tc_uplink.skel.h"
#include "tc_uplink_bypass.skel.h"
#include "xdp_uplink.skel.h"
#include "xdp_uplink_bypass.skel.h"

namespace podlane {
namespace {

template <typename Skel>
struct SkelDeleter {
    void operator()(Skel *s) const { Skel::destroy(s); }
};
template <typename Skel>
using SkelPtr = std::unique_ptr<Skel, SkelDeleter<Skel>>;

// libbpf reports verifier logs through its print callback; keep the tail of
// what it says while we load so an error can show it.
thread_local std::string *libbpf_capture = nullptr;

int capture_print(enum libbpf_print_level level, const char *fmt, va_list args) {
    if (!libbpf_capture || level == LIBBPF_DEBUG) return 0;
    char line[1024];
    vsnprintf(line, sizeof line, fmt, args);
    *libbpf_capture += line;
    if (libbpf_capture->size() > 16384) libbpf_capture->erase(0, libbpf_capture->size() - 16384);
    return 0;
}

class CaptureLibbpfLog {
public:
    CaptureLibbpfLog() : previous_(libbpf_set_print(capture_print)) { libbpf_capture = &text; }
    ~CaptureLibbpfLog() {
        libbpf_capture = nullptr;
        libbpf_set_print(previous_);
    }
    std::string tail(size_t lines) const {
        size_t pos = text.size();
        for (size_t n = 0; n <= lines && pos != std::string::npos && pos > 0; n++) pos = text.rfind('\n', pos - 1);
        return pos == std::string::npos ? text : text.substr(pos + 1);
    }
    std::string text;

private:
    libbpf_print_fn_t previous_;
};

template <typename Skel, typename Configure>
Result<SkelPtr<Skel>> open_and_load(const char *what, const std::string &pin_dir, CaptureLibbpfLog &log,
                                    Configure configure) {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir.c_str());
    SkelPtr<Skel> skel(Skel::open(&opts));
    if (!skel) return errno_error(std::string("open BPF object ") + what, errno);
    configure(*skel);
    if (int err = Skel::load(skel.get()); err) {
        Error e = errno_error(std::string("load BPF program ") + what + " (pins in " + pin_dir + ")", -err);
        if (err == -EINVAL && log.text.find("couldn't reuse pinned map") != std::string::npos)
            e.message += "; a pinned map has another layout: remove it with `podlaned --detach`";
        e.message += "\n--- libbpf/verifier log (tail) ---\n" + log.tail(25);
        return e;
    }
    return skel;
}

}  // namespace

// The three node programs of one build (netfilter-compatible or bypass),
// kept loaded for as long as the Datapath lives.
struct Datapath::Skeletons {
    virtual ~Skeletons() = default;
    int from_pod_fd = -1, from_host_fd = -1, uplink_tc_fd = -1, uplink_xdp_fd = -1;
};

namespace {

template <typename FromPod, typename UplinkTc, typename UplinkXdp>
struct SkeletonSet : Datapath::Skeletons {
    SkelPtr<FromPod> from_pod;
    SkelPtr<UplinkTc> uplink_tc;
    SkelPtr<UplinkXdp> uplink_xdp;
};

template <typename FromPod, typename UplinkTc, typename UplinkXdp>
Result<std::unique_ptr<Datapath::Skeletons>> load_set(const std::string &pin_dir, const DatapathOptions &options) {
    CaptureLibbpfLog log;
    auto set = std::make_unique<SkeletonSet<FromPod, UplinkTc, UplinkXdp>>();
    auto from_pod = open_and_load<FromPod>("tc_from_pod", pin_dir, log, [&](FromPod &skel) {
        skel.rodata->pl_next_hop_fib = options.next_hop_fib ? 1 : 0;
    });
    if (!from_pod) return from_pod.error();
    set->from_pod = std::move(*from_pod);
    auto uplink_tc = open_and_load<UplinkTc>("tc_uplink", pin_dir, log, [](UplinkTc &) {});
    if (!uplink_tc) return uplink_tc.error();
    set->uplink_tc = std::move(*uplink_tc);
    auto uplink_xdp = open_and_load<UplinkXdp>("xdp_uplink", pin_dir, log, [](UplinkXdp &) {});
    if (!uplink_xdp) return uplink_xdp.error();
    set->uplink_xdp = std::move(*uplink_xdp);
    set->from_pod_fd = bpf_program__fd(set->from_pod->progs.podlane_from_pod);
    set->from_host_fd = bpf_program__fd(set->from_pod->progs.podlane_from_host);
    set->uplink_tc_fd = bpf_program__fd(set->uplink_tc->progs.podlane_uplink_ingress);
    set->uplink_xdp_fd = bpf_program__fd(set->uplink_xdp->progs.podlane_xdp_uplink);
    return std::unique_ptr<Datapath::Skeletons>(std::move(set));
}

}  // namespace

const char *netfilter_mode_name(NetfilterMode mode) {
    return mode == NetfilterMode::Bypass ? "bypass" : "compat";
}

Status make_pin_dir(const std::string &dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return errno_error("create pin directory " + dir, ec.value());
    return {};
}

Result<Datapath> Datapath::load(const std::string &pin_dir, DatapathOptions options) {
    if (auto st = require_kernel_features(node_program_features()); !st) return st.error();
    if (options.netfilter == NetfilterMode::Compat)
        if (auto st = require_kernel_functions(
                netfilter_compat_functions(), "nf_conntrack", "the netfilter-compatible mode (the default)",
                "or start podlaned with --netfilter bypass if this cluster's Services and "
                "policy are not netfilter-based (docs/dataplane.md)");
            !st)
            return st.error();
    if (auto st = make_pin_dir(pin_dir); !st) return st.error();
    auto skels = options.netfilter == NetfilterMode::Compat
                     ? load_set<tc_from_pod, tc_uplink, xdp_uplink>(pin_dir, options)
                     : load_set<tc_from_pod_bypass, tc_uplink_bypass, xdp_uplink_bypass>(pin_dir, options);
    if (!skels) return skels.error();
    return Datapath(pin_dir, std::move(*skels));
}

Datapath::Datapath(std::string pin_dir, std::unique_ptr<Skeletons> skels)
    : pin_dir_(std::move(pin_dir)), skels_(std::move(skels)) {}
Datapath::Datapath(Datapath &&) noexcept = default;
Datapath &Datapath::operator=(Datapath &&) noexcept = default;
Datapath::~Datapath() = default;

int Datapath::from_pod_fd() const {
    return skels_->from_pod_fd;
}
int Datapath::from_host_fd() const {
    return skels_->from_host_fd;
}
int Datapath::uplink_tc_fd() const {
    return skels_->uplink_tc_fd;
}
int Datapath::uplink_xdp_fd() const {
    return skels_->uplink_xdp_fd;
}

Status Datapath::pin_from_pod_program() const {
    std::string path = pin_dir_ + "/" + PODLANE_PIN_PROG_FROM_POD;
    std::string tmp = path + "_new";  // bpffs refuses names with a dot
    ::unlink(tmp.c_str());
    if (bpf_obj_pin(from_pod_fd(), tmp.c_str()) != 0) return errno_error("pin program at " + tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return errno_error("move pinned program to " + path, err);
    }
    return {};
}

}  // namespace podlane
