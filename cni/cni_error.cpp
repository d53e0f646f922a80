#include "cni_error.h"

#include <cerrno>

namespace podlane::cni {

CniError from_error(const Error &err, int code)
{
    if (err.errnum == EAGAIN || err.errnum == EWOULDBLOCK || err.errnum == EBUSY) code = kTryAgainLater;
    return CniError{code, err.message, ""};
}

}  // namespace podlane::cni
