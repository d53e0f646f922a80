// podlaned's modes, parsed once at the command line (CLI11 maps the words to
// these values) and turned back into the same words only for logs,
// agent.json and podlanectl.
#pragma once

#include "datapath.h"  // NetfilterMode, kNetfilterWords
#include "mode_words.h"

namespace podlane {

enum class Role { Node, Router };
// Receive hook on a node's uplink: Auto picks per driver at start.
enum class UplinkHook { Auto, Tc, Xdp };
// Where a node's pod-side program runs: each pod's host veth (measured
// faster) or the bridge's ingress.
enum class PodAttach { Veth, Bridge };
// How the pod side reaches the owning node: bpf_redirect_neigh, or
// bpf_fib_lookup + bpf_redirect.
enum class NextHopMethod { Neigh, Fib };
// Where the router role forwards: XDP (NICs) or TC (veth interfaces).
enum class RouterHook { Xdp, Tc };

inline constexpr ModeWord<Role> kRoleWords[] = {{Role::Node, "node"}, {Role::Router, "router"}};
inline constexpr ModeWord<UplinkHook> kUplinkHookWords[] = {
    {UplinkHook::Auto, "auto"}, {UplinkHook::Tc, "tc"}, {UplinkHook::Xdp, "xdp"}};
inline constexpr ModeWord<PodAttach> kPodAttachWords[] = {{PodAttach::Bridge, "bridge"}, {PodAttach::Veth, "veth"}};
inline constexpr ModeWord<NextHopMethod> kNextHopWords[] = {{NextHopMethod::Neigh, "neigh"},
                                                            {NextHopMethod::Fib, "fib"}};
inline constexpr ModeWord<RouterHook> kRouterHookWords[] = {{RouterHook::Xdp, "xdp"}, {RouterHook::Tc, "tc"}};

inline const char *mode_name(Role role) {
    return word_of(kRoleWords, role);
}
inline const char *mode_name(UplinkHook hook) {
    return word_of(kUplinkHookWords, hook);
}
inline const char *mode_name(PodAttach attach) {
    return word_of(kPodAttachWords, attach);
}
inline const char *mode_name(RouterHook hook) {
    return word_of(kRouterHookWords, hook);
}

}  // namespace podlane
