#include "version.h"

#include <algorithm>
#include <sstream>

namespace podlane::cni {

const std::vector<std::string> &supported_versions() {
    // 0.3.x results carry "version" per IP; 0.4.0 adds CHECK; 1.1.0 adds
    // STATUS and GC. Older than 0.3.0 has a different result shape: refused.
    static const std::vector<std::string> versions{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};
    return versions;
}

bool version_supported(const std::string &version) {
    const auto &v = supported_versions();
    return std::find(v.begin(), v.end(), version) != v.end();
}

int compare_versions(const std::string &a, const std::string &b) {
    std::istringstream sa(a), sb(b);
    for (int i = 0; i < 3; i++) {
        int x = 0, y = 0;
        std::string pa, pb;
        if (std::getline(sa, pa, '.')) x = std::atoi(pa.c_str());
        if (std::getline(sb, pb, '.')) y = std::atoi(pb.c_str());
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

}  // namespace podlane::cni
