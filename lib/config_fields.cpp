#include "podlane/config_fields.h"

#include "podlane/ifname.h"

namespace podlane {
namespace {

using nlohmann::json;

std::string expected(std::string_view what, std::string_view shape) {
    std::string out = "must be " + std::string(what);
    if (!shape.empty()) out += " " + std::string(shape);
    return out;
}

}  // namespace

Result<json> parse_json_object(const std::string &text) {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return Error{"not valid JSON"};
    if (!doc.is_object()) return Error{"top level must be a JSON object"};
    return doc;
}

bool ConfigFields::has(std::string_view key) const {
    auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
}

Error ConfigFields::error(std::string_view key, const std::string &why) const {
    return Error{where_ + std::string(key) + ": " + why};
}

Result<std::optional<std::string>> ConfigFields::optional_string(std::string_view key) const {
    if (!has(key)) return std::optional<std::string>{};
    const json &value = object_.find(key).value();
    if (!value.is_string() || value.get_ref<const std::string &>().empty())
        return error(key, "must be a non-empty string");
    return std::optional<std::string>{value.get<std::string>()};
}

Result<std::string> ConfigFields::required_string(std::string_view key) const {
    auto value = optional_string(key);
    if (!value) return value.error();
    if (!*value) return error(key, "missing (required)");
    return **value;
}

Result<std::string> ConfigFields::string_or(std::string_view key, std::string fallback) const {
    auto value = optional_string(key);
    if (!value) return value.error();
    return value->value_or(std::move(fallback));
}

Result<std::optional<unsigned>> ConfigFields::optional_uint(std::string_view key, unsigned min, unsigned max) const {
    if (!has(key)) return std::optional<unsigned>{};
    const json &value = object_.find(key).value();
    const std::string range = "must be an integer between " + std::to_string(min) + " and " + std::to_string(max);
    if (!value.is_number_integer()) return error(key, range);
    // Signed first: a negative number read as unsigned would wrap into range.
    long long number = value.get<long long>();
    if (number < static_cast<long long>(min) || number > static_cast<long long>(max)) return error(key, range);
    return std::optional<unsigned>{static_cast<unsigned>(number)};
}

Result<std::optional<bool>> ConfigFields::optional_bool(std::string_view key) const {
    if (!has(key)) return std::optional<bool>{};
    const json &value = object_.find(key).value();
    if (!value.is_boolean()) return error(key, "must be true or false");
    return std::optional<bool>{value.get<bool>()};
}

Result<std::optional<std::string>> ConfigFields::optional_ifname(std::string_view key) const {
    auto name = optional_string(key);
    if (!name || !*name) return name;
    if (auto st = check_ifname(**name); !st) return error(key, st.error().message);
    return name;
}

Result<std::string> ConfigFields::required_ifname(std::string_view key) const {
    auto name = optional_ifname(key);
    if (!name) return name.error();
    if (!*name) return error(key, "missing (required)");
    return **name;
}

Result<std::string> ConfigFields::ifname_or(std::string_view key, std::string fallback) const {
    auto name = optional_ifname(key);
    if (!name) return name.error();
    return name->value_or(std::move(fallback));
}

Result<std::string> ConfigFields::required_folder_name(std::string_view key) const {
    auto name = required_string(key);
    if (!name) return name;
    if (name->find('/') != std::string::npos || *name == "." || *name == "..")
        return error(key, "'" + *name + "' cannot be used as a folder name");
    return name;
}

Result<std::optional<std::string>> ConfigFields::optional_absolute_path(std::string_view key) const {
    auto path = optional_string(key);
    if (!path || !*path) return path;
    if ((**path)[0] != '/') return error(key, "'" + **path + "' must be an absolute path");
    return path;
}

Result<std::optional<json>> ConfigFields::optional_object(std::string_view key, std::string_view shape) const {
    if (!has(key)) return std::optional<json>{};
    const json &value = object_.find(key).value();
    if (!value.is_object()) return error(key, expected("an object", shape));
    return std::optional<json>{value};
}

Result<std::optional<json>> ConfigFields::optional_array(std::string_view key, std::string_view shape) const {
    if (!has(key)) return std::optional<json>{};
    const json &value = object_.find(key).value();
    if (!value.is_array()) return error(key, expected("an array", shape));
    return std::optional<json>{value};
}

}  // namespace podlane
