// The subcommand groups of podlanectl, one file each. A group registers its
// subcommands and options on the CLI11 app, and, when one of them was given,
// runs it: input is validated first (no root needed to be told an address is
// malformed), then the node's maps are opened through Context.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "context.h"

namespace podlane::ctl {

// Returns the exit code (kExitOk, or kExitFailed when there was nothing to
// delete); an Error is printed by main as one line, exit per exit_code_for.
class CommandGroup {
public:
    virtual ~CommandGroup() = default;
    virtual bool selected() const = 0;
    virtual Result<int> run(const GlobalOptions &global, std::ostream &out) = 0;
};

class RoutesCommands final : public CommandGroup {
public:
    explicit RoutesCommands(CLI::App &app);
    bool selected() const override;
    Result<int> run(const GlobalOptions &global, std::ostream &out) override;

private:
    Result<int> add(const GlobalOptions &global, std::ostream &out);
    Result<int> del(const GlobalOptions &global, std::ostream &out);
    // The same for an IPv6 CIDR (pl_routes6_v1).
    Result<int> add6(const GlobalOptions &global, std::ostream &out);
    Result<int> del6(const GlobalOptions &global, std::ostream &out);
    // The uplink for a new route: --dev, else the node config's.
    Result<uint32_t> uplink_for(const Context &ctx) const;
    CLI::App *group_, *list_, *add_, *del_;
    std::string cidr_, via_, node_ip_, dev_;
    bool force_ = false;
};

class EndpointsCommands final : public CommandGroup {
public:
    explicit EndpointsCommands(CLI::App &app);
    bool selected() const override;
    Result<int> run(const GlobalOptions &global, std::ostream &out) override;

private:
    Result<int> del6(const GlobalOptions &global, std::ostream &out);
    CLI::App *group_, *list_, *del_;
    std::string ip_;
};

class LookupCommand final : public CommandGroup {
public:
    explicit LookupCommand(CLI::App &app);
    bool selected() const override;
    Result<int> run(const GlobalOptions &global, std::ostream &out) override;

private:
    Result<int> run6(const GlobalOptions &global, std::ostream &out);
    CLI::App *cmd_;
    std::string ip_, from_ = "pod";
    int ttl_ = 64;
};

class StatsCommand final : public CommandGroup {
public:
    explicit StatsCommand(CLI::App &app);
    bool selected() const override;
    Result<int> run(const GlobalOptions &global, std::ostream &out) override;

private:
    CLI::App *cmd_;
    double watch_ = 0;
    int count_ = 0;
    bool all_ = false;
};

// The router role's own maps (neighbours, ports); read-only.
class RouterCommands final : public CommandGroup {
public:
    explicit RouterCommands(CLI::App &app);
    bool selected() const override;
    Result<int> run(const GlobalOptions &global, std::ostream &out) override;

private:
    CLI::App *group_, *neighbours_, *ports_;
};

class StatusCommand final : public CommandGroup {
public:
    explicit StatusCommand(CLI::App &app);
    bool selected() const override;
    Result<int> run(const GlobalOptions &global, std::ostream &out) override;

private:
    CLI::App *cmd_;
    bool check_ = false;
};

// Live events from the dataplane's ring buffer (PODLANE_MAP_EVENTS).
class MonitorCommand final : public CommandGroup {
public:
    explicit MonitorCommand(CLI::App &app);
    bool selected() const override;
    Result<int> run(const GlobalOptions &global, std::ostream &out) override;

private:
    CLI::App *cmd_;
    std::string type_ = "drop";
    int sample_ = 1;
    int rate_ = 1000;
    long count_ = 0;
    double duration_ = 0;
};

// An address argument is IPv6 when it has a colon: the family is chosen by
// parsing, and each family's parser names what is wrong with the text.
bool looks_like_ipv6(const std::string &text);

// Interface names of the node (agent's namespace when it runs). Not being
// able to read them is not worth failing a listing for: names show as "#N".
IfNames node_interface_names(const Context &ctx);

}  // namespace podlane::ctl
