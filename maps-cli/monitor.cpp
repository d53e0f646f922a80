// podlanectl monitor: the dataplane's verdicts as they happen, from the
// programs' ring buffer, sampled and rate limited in BPF so that it can stay
// on in production. While it runs it holds the monitor switch on (renewed
// every second, so a killed monitor turns it off within seconds by itself).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>

#include "commands.h"
#include "monitor_event.h"
#include "podlane/unique_fd.h"

namespace podlane::ctl {
namespace {

uint64_t clock_ns(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// bpf_ktime_get_ns() is CLOCK_MONOTONIC: the event's wall-clock time is now
// minus its age.
std::string wall_time(uint64_t mono_ns) {
    const uint64_t age = clock_ns(CLOCK_MONOTONIC) - std::min(mono_ns, clock_ns(CLOCK_MONOTONIC));
    const uint64_t wall = clock_ns(CLOCK_REALTIME) - age;
    std::time_t secs = static_cast<std::time_t>(wall / 1000000000ull);
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char buf[48];
    std::strftime(buf, sizeof buf, "%H:%M:%S", &utc);
    char out[64];
    std::snprintf(out, sizeof out, "%s.%06llu", buf, static_cast<unsigned long long>((wall % 1000000000ull) / 1000));
    return out;
}

struct RingBufferDeleter {
    void operator()(ring_buffer *rb) const { ring_buffer__free(rb); }
};

struct Reader {
    std::ostream &out;
    const IfNames &names;
    Format format;
    long limit;  // 0: no limit
    long seen = 0;
};

int on_event(void *ctx, void *data, size_t size) {
    auto *reader = static_cast<Reader *>(ctx);
    if (size < sizeof(podlane_event)) return 0;
    podlane_event ev{};
    std::memcpy(&ev, data, sizeof ev);
    reader->out << render_event(ev, wall_time(ev.ts_ns), reader->names, reader->format) << std::flush;
    ++reader->seen;
    return reader->limit && reader->seen >= reader->limit ? 1 : 0;  // > 0 stops the poll
}

}  // namespace

MonitorCommand::MonitorCommand(CLI::App &app) {
    cmd_ = app.add_subcommand(
        "monitor", "Live dataplane events: time, reason, interface, 5-tuple, next hop (sampled, rate limited)");
    cmd_->add_option("-t,--type", type_, "Which verdicts: drop, pass, forward or all")->capture_default_str();
    cmd_->add_option("--sample", sample_, "Report one in N packets of those (1: every one)")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd_->add_option("--rate", rate_, "At most N events per second per CPU (0: no limit)")
        ->check(CLI::Range(0, 1000000))
        ->capture_default_str();
    cmd_->add_option("-n,--count", count_, "Stop after N events")->check(CLI::PositiveNumber);
    cmd_->add_option("-d,--duration", duration_, "Stop after SECONDS")->check(CLI::Range(0.1, 86400.0));
    cmd_->footer(
        "Off while no monitor runs: the programs then pay one array lookup per packet. Events the rate\n"
        "limit drops are counted and shown with the next event; a reader that falls behind loses events,\n"
        "never packets. With -o json every event is one JSON document on its own line.\n"
        "Examples:\n"
        "  podlanectl monitor                      # every drop, as it happens\n"
        "  podlanectl monitor --type all --sample 100 --rate 50\n"
        "  podlanectl monitor --type drop -o json --count 10");
}

bool MonitorCommand::selected() const {
    return cmd_->parsed();
}

Result<int> MonitorCommand::run(const GlobalOptions &global, std::ostream &out) {
    auto types = monitor_types(type_);
    if (!types) return types.error();
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto control = PinnedMap::open(ctx->pin_dir(), PODLANE_MAP_MONITOR);
    if (!control)
        return Error{control.error().message + " (the monitor needs the maps of a podlaned of this version)",
                     control.error().errnum};
    auto events = PinnedMap::open(ctx->pin_dir(), PODLANE_MAP_EVENTS);
    if (!events)
        return Error{events.error().message + " (the monitor needs the maps of a podlaned of this version)",
                     events.error().errnum};

    // SIGINT/SIGTERM end the loop, which turns the switch off on the way out.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    // A closed stdout (`| head`) ends the loop below, which switches off.
    signal(SIGPIPE, SIG_IGN);
    UniqueFd sig(::signalfd(-1, &mask, SFD_CLOEXEC));
    if (!sig.valid()) return errno_error("signalfd", errno);

    const IfNames names = node_interface_names(*ctx);
    Reader reader{out, names, ctx->format(), count_};
    std::unique_ptr<ring_buffer, RingBufferDeleter> rb(ring_buffer__new(events->fd(), on_event, &reader, nullptr));
    if (!rb) return errno_error("read the events ring buffer " + events->path(), errno);

    // One monitor per node: a second would change the first one's selection,
    // share its ring buffer and switch it off when it stops.
    const uint32_t zero = 0;
    podlane_monitor_config held{};
    if (bpf_map_lookup_elem(control->fd(), &zero, &held) == 0 && held.until_ns > clock_ns(CLOCK_MONOTONIC))
        return Error{"another podlanectl monitor is reading node " + ctx->node() +
                         "'s events (or was stopped less than 3 s ago): stop it first",
                     EBUSY};

    podlane_monitor_config on{};
    on.types = *types;
    on.sample_every = static_cast<uint32_t>(sample_);
    on.max_per_sec = static_cast<uint32_t>(rate_);
    auto hold = [&](bool keep_on) -> Status {
        on.until_ns = keep_on ? clock_ns(CLOCK_MONOTONIC) + 3'000'000'000ull : 0;
        if (bpf_map_update_elem(control->fd(), &zero, &on, BPF_ANY) != 0)
            return errno_error("switch the monitor " + std::string(keep_on ? "on" : "off"), errno);
        return {};
    };
    if (auto st = hold(true); !st) return st.error();
    if (ctx->format() == Format::Table)
        out << "monitoring " << type_ << " verdicts on node " << ctx->node() << " (one in " << sample_ << ", at most "
            << (rate_ ? std::to_string(rate_) + "/s per CPU" : std::string("any number")) << "); Ctrl-C stops\n"
            << std::flush;

    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    auto renew_at = started + std::chrono::seconds(1);
    Status result;
    for (;;) {
        if (duration_ > 0 && Clock::now() - started >= std::chrono::duration<double>(duration_)) break;
        if (Clock::now() >= renew_at) {
            if (result = hold(true); !result) break;
            renew_at = Clock::now() + std::chrono::seconds(1);
        }
        pollfd fds[2] = {{sig.get(), POLLIN, 0}, {ring_buffer__epoll_fd(rb.get()), POLLIN, 0}};
        if (::poll(fds, 2, 200) < 0 && errno != EINTR) {
            result = errno_error("poll", errno);
            break;
        }
        if (fds[0].revents & POLLIN) break;
        int n = ring_buffer__consume(rb.get());
        if (n < 0 && n != -EINTR) {
            result = errno_error("read events", -n);
            break;
        }
        if (count_ && reader.seen >= count_) break;
        if (!out) break;  // stdout closed
    }
    auto off = hold(false);
    if (!result) return result.error();
    if (!off) return off.error();
    return kExitOk;
}

}  // namespace podlane::ctl
