#include "podlane/boot.h"

#include <fstream>

namespace podlane {

Result<BootInfo> read_boot_info() {
    BootInfo info;
    std::ifstream id("/proc/sys/kernel/random/boot_id");
    if (!std::getline(id, info.boot_id) || info.boot_id.empty())
        return errno_error("read /proc/sys/kernel/random/boot_id (is /proc mounted?)", errno ? errno : EIO);
    std::ifstream stat("/proc/stat");
    std::string word;
    while (stat >> word)
        if (word == "btime" && stat >> info.boot_time) break;
    if (info.boot_time == 0) return Error{"read btime from /proc/stat: not found", EIO};
    return info;
}

}  // namespace podlane
