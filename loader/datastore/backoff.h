// Exponential backoff for reconnecting to a datastore: doubles from `initial`
// up to `max`, with up to 25% random jitter so agents restarted together do
// not retry in lockstep; reset() after a success.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace podlane::datastore {

class Backoff {
public:
    Backoff(std::chrono::milliseconds initial = std::chrono::milliseconds{200},
            std::chrono::milliseconds max = std::chrono::milliseconds{5000})
        : initial_(initial), max_(max), next_(initial), rng_(std::random_device{}()) {}

    std::chrono::milliseconds next() {
        auto base = next_;
        next_ = std::min(max_, next_ * 2);
        std::uniform_int_distribution<long> jitter(0, base.count() / 4);
        return base + std::chrono::milliseconds{jitter(rng_)};
    }
    void reset() { next_ = initial_; }

private:
    std::chrono::milliseconds initial_, max_, next_;
    std::minstd_rand rng_;
};

}  // namespace podlane::datastore
