#include "podlane/ifname.h"

#include <string>

namespace podlane {
namespace {

// The kernel's isspace (lib/ctype.c): the ASCII spaces and 0xa0.
bool kernel_isspace(char c) {
    switch (static_cast<unsigned char>(c)) {
        case ' ':
        case '\t':
        case '\n':
        case '\v':
        case '\f':
        case '\r':
        case 0xa0:
            return true;
        default:
            return false;
    }
}

}  // namespace

bool valid_ifname(std::string_view name) {
    constexpr std::string_view::size_type kMaxLength = 15;  // IFNAMSIZ - 1: the kernel keeps the NUL
    if (name.empty() || name.size() > kMaxLength || name == "." || name == "..") return false;
    for (char c : name)
        if (c == '/' || c == ':' || c == '\0' || kernel_isspace(c)) return false;
    return true;
}

Status check_ifname(std::string_view name) {
    if (valid_ifname(name)) return {};
    return Error{"'" + std::string(name) + "' is not an interface name (" + kIfnameRule + ")"};
}

}  // namespace podlane
