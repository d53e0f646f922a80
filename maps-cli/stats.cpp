// podlanectl stats [--watch SECONDS [--count N]] [--all]: the per-reason
// counters of every program, summed over CPUs; rates when watching.
#include <chrono>
#include <thread>

#include "commands.h"

namespace podlane::ctl {

StatsCommand::StatsCommand(CLI::App &app) {
    cmd_ =
        app.add_subcommand("stats", "Packet and byte counters per verdict reason (forwarded, passed, dropped and why)");
    cmd_->add_option("-w,--watch", watch_, "Print rates every SECONDS until interrupted")
        ->check(CLI::Range(0.1, 86400.0));
    cmd_->add_option("-n,--count", count_, "With --watch: stop after N reports")->check(CLI::PositiveNumber);
    cmd_->add_flag("-a,--all", all_, "Table: also show reasons that never counted (JSON always has all)");
    cmd_->footer(
        "Counters only grow (until the maps are re-created). Drop reasons are named in words;\n"
        "with -o json --watch, every report is one JSON document on its own line.\n"
        "Examples:\n"
        "  podlanectl stats\n"
        "  podlanectl stats --watch 1\n"
        "  podlanectl stats --watch 5 --count 12 -o json >> rates.jsonl");
}

bool StatsCommand::selected() const {
    return cmd_->parsed();
}

Result<int> StatsCommand::run(const GlobalOptions &global, std::ostream &out) {
    if (count_ > 0 && watch_ <= 0) return Error{"--count needs --watch SECONDS"};
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto totals = ctx->maps().stats();
    if (!totals) return totals.error();
    StatsReport report;
    report.node = ctx->node();
    report.all = all_;
    report.totals = std::move(*totals);
    if (watch_ <= 0) {
        out << render_stats(report, ctx->format());
        return kExitOk;
    }

    using Clock = std::chrono::steady_clock;
    auto before = Clock::now();
    for (int n = 0; count_ == 0 || n < count_; n++) {
        std::this_thread::sleep_until(before + std::chrono::duration<double>(watch_));
        auto fresh = ctx->maps().stats();
        auto now = Clock::now();
        if (!fresh) return fresh.error();
        report.previous = std::move(report.totals);
        report.totals = std::move(*fresh);
        report.interval_seconds = std::chrono::duration<double>(now - before).count();
        before = now;
        out << render_stats(report, ctx->format()) << std::flush;
        if (ctx->format() == Format::Table) out << "\n";
    }
    return kExitOk;
}

}  // namespace podlane::ctl
