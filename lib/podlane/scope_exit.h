// Runs an undo action at scope exit unless dismissed: one per acquired step
// of a multi-step operation (CNI ADD, agent start), dismissed on success.
#pragma once

#include <utility>

namespace podlane {

template <typename F>
class ScopeExit {
public:
    explicit ScopeExit(F f) : f_(std::move(f)) {}
    ScopeExit(const ScopeExit &) = delete;
    ScopeExit &operator=(const ScopeExit &) = delete;
    ~ScopeExit() {
        if (active_) f_();
    }
    void dismiss() { active_ = false; }

private:
    F f_;
    bool active_ = true;
};

}  // namespace podlane
