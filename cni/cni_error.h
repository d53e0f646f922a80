// The CNI error: a spec code, a message a user can act on, and details.
// Every failure of the plugin ends as one of these, printed as the spec's
// error JSON on stdout with a non-zero exit. Codes above 100 are ours and
// documented in cni/README.md.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "podlane/result.h"

namespace podlane::cni {

enum ErrorCode : int {
    kIncompatibleVersion = 1,
    kUnsupportedField = 2,
    kUnknownContainer = 3,
    kInvalidEnvironment = 4,
    kIoFailure = 5,
    kDecodeFailure = 6,
    kInvalidConfig = 7,
    kTryAgainLater = 11,
    kUnavailable = 50,          // STATUS: cannot serve ADDs
    kUnavailableDegraded = 51,  // STATUS: and existing pods are affected
    // plugin-specific, > 100 as the spec asks
    kInternal = 101,          // netlink / namespace / kernel failure
    kRangeExhausted = 102,    // no free address in the pod CIDR
    kStoreFailure = 103,      // IPAM store unreadable or unwritable
    kCheckMismatch = 104,     // CHECK found the container differs from prevResult
    kDataplaneFailure = 105,  // pinned map present but could not be updated
};

struct CniError {
    int code = kInternal;
    std::string msg;
    std::string details;
};

// A podlane::Error as a CNI error: errno decides the code where it has a
// meaning for the runtime (EAGAIN: retry later; ENOSPC from IPAM: exhausted).
CniError from_error(const Error &err, int code);

template <typename T>
class [[nodiscard]] CniResult {
public:
    CniResult(T value) : v_(std::move(value)) {}
    CniResult(CniError error) : v_(std::move(error)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() & { return std::get<0>(v_); }
    T &operator*() & { return value(); }
    T *operator->() { return &value(); }
    const CniError &error() const { return std::get<1>(v_); }

private:
    std::variant<T, CniError> v_;
};

}  // namespace podlane::cni
