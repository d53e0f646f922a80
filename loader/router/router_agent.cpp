#include "router/router_agent.h"

namespace podlane {

Result<std::unique_ptr<Agent>> start_router(const AgentOptions &, Logger)
{
    return Error{"--role router: not built yet"};
}

Status detach_router(const AgentOptions &, Logger) { return Error{"--role router: not built yet"}; }

}  // namespace podlane
