// Which boot of the machine this is: reservations made in an earlier boot
// belong to pods that a power loss or hard reboot has already killed.
#pragma once

#include <ctime>
#include <string>

#include "podlane/result.h"

namespace podlane {

struct BootInfo {
    std::string boot_id;   // /proc/sys/kernel/random/boot_id, new at every boot
    time_t boot_time = 0;  // btime of /proc/stat: files older than this predate the boot
};

Result<BootInfo> read_boot_info();

}  // namespace podlane
