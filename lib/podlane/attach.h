// Attaching programs to interfaces with TC (clsact, direct action) and XDP,
// in the network namespace of the calling thread. netlink-based, as in
// libbpf 1.1.2, so attachments outlive the process that made them: that is
// what lets the agent restart without dropping traffic.
#pragma once

#include <cstdint>
#include <optional>

#include "podlane/result.h"

namespace podlane {

enum class TcDirection { Ingress, Egress };

// podlane owns exactly one filter per hook, at this handle and priority, so a
// re-attach replaces it in place (atomically) instead of adding a second one.
inline constexpr uint32_t kTcHandle = 1;
inline constexpr uint32_t kTcPriority = 1;

const char *tc_direction_name(TcDirection dir);

// Creates the clsact qdisc if needed and attaches (or atomically replaces).
Status attach_tc(int ifindex, TcDirection dir, int prog_fd);
// Ok when nothing is attached.
Status detach_tc(int ifindex, TcDirection dir);
// Program id of podlane's filter, nullopt when none.
Result<std::optional<uint32_t>> query_tc(int ifindex, TcDirection dir);

enum class XdpMode { NativeOrGeneric, NativeOnly };

// Attaches or atomically replaces the interface's XDP program: native mode
// when the driver has it, else (NativeOrGeneric) the kernel's generic XDP,
// which runs after the skb is built and is slower than TC. NativeOnly fails
// with EOPNOTSUPP where the driver has no XDP of its own.
Status attach_xdp(int ifindex, int prog_fd, XdpMode mode = XdpMode::NativeOrGeneric);
Status detach_xdp(int ifindex);
Result<std::optional<uint32_t>> query_xdp(int ifindex);

}  // namespace podlane
