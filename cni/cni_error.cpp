#include "cni_error.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace podlane::cni {

CniError from_error(const Error &err, int code) {
    if (err.errnum == EAGAIN || err.errnum == EWOULDBLOCK || err.errnum == EBUSY) code = kTryAgainLater;
    // The runtime logs `details`; the errno's name is what one searches for.
    std::string details;
    if (err.errnum > 0) {
        const char *name = strerrorname_np(err.errnum);
        details = std::string(name ? name : "errno") + " (" + std::to_string(err.errnum) + ")";
    }
    return CniError{code, err.message, details};
}

}  // namespace podlane::cni
