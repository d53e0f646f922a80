// Errors as values. GCC 12 has no std::expected; this is shaped so that it
// can become one. An error names the operation, the object and errno, and
// callers add context on the way up with Error::wrap().
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace podlane {

struct Error {
    std::string message;
    int errnum = 0;  // errno of the failing call, 0 when not from a syscall

    // "context: message", keeping errnum.
    Error wrap(const std::string &context) const { return Error{context + ": " + message, errnum}; }
};

// "what: No such file or directory (ENOENT)"
inline Error errno_error(const std::string &what, int err) {
    const char *name = strerrorname_np(err);
    return Error{what + ": " + std::strerror(err) + " (" + (name ? name : std::to_string(err)) + ")", err};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() & { return std::get<0>(v_); }
    const T &value() const & { return std::get<0>(v_); }
    T &&value() && { return std::get<0>(std::move(v_)); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    const Error &error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error &error() const { return error_; }

private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

}  // namespace podlane
