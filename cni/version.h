// The CNI spec versions this plugin speaks, and what each one allows.
#pragma once

#include <string>
#include <vector>

namespace podlane::cni {

inline constexpr const char *kLatestVersion = "1.1.0";

const std::vector<std::string> &supported_versions();
bool version_supported(const std::string &version);
// <0, 0, >0 like strcmp, on dotted numbers ("0.4.0" < "1.0.0"). Unparseable
// parts compare as 0.
int compare_versions(const std::string &a, const std::string &b);

}  // namespace podlane::cni
