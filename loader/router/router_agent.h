// `podlaned --role router`: the seed's central router, forwarding pod
// traffic between nodes in BPF on the router's interface(s).
#pragma once

#include <memory>

#include "agent.h"

namespace podlane {

// Everything up to "ready" for the router role; run() then keeps routes and
// neighbours in step until SIGTERM, leaving the dataplane in place.
Result<std::unique_ptr<Agent>> start_router(const AgentOptions &options, Logger log);
Status detach_router(const AgentOptions &options, Logger log);

}  // namespace podlane
