// Base64 (RFC 4648, with padding): etcd's JSON gateway carries keys and
// values this way, and kubeconfig carries PEM blobs this way.
#pragma once

#include <string>
#include <string_view>

#include "podlane/result.h"

namespace podlane::datastore {

std::string base64_encode(std::string_view in);
Result<std::string> base64_decode(std::string_view in);

}  // namespace podlane::datastore
