// Reading the fields of a JSON config (podlaned's node file, the router's
// file, the CNI plugin's network config) with one set of rules and one form
// of message: "<where><key>: <why>", e.g. "nodes[2].podCIDR: '10.244.1.5/24'
// has host bits set". The loaders add the file on the way up
// (Error::wrap("config /etc/podlane/node.json")).
//
// Rules shared by every config: a key whose value is null counts as absent
// (as the CNI spec's configs write it); a string must be non-empty; an
// interface name follows the kernel's rule (podlane/ifname.h).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "podlane/ip.h"
#include "podlane/result.h"

namespace podlane {

// The top level of a config text: "not valid JSON" or "top level must be a
// JSON object" otherwise.
Result<nlohmann::json> parse_json_object(const std::string &text);

// The fields of one JSON object. `where` is how messages locate it: "" for
// the top level, "nodes[2]." for an entry of a list.
class ConfigFields {
public:
    explicit ConfigFields(const nlohmann::json &object, std::string where = "")
        : object_(object), where_(std::move(where)) {}

    const nlohmann::json &object() const { return object_; }
    const std::string &where() const { return where_; }
    // Present and not null.
    bool has(std::string_view key) const;
    // "<where><key>: <why>"
    Error error(std::string_view key, const std::string &why) const;

    // Strings: non-empty.
    Result<std::optional<std::string>> optional_string(std::string_view key) const;
    Result<std::string> required_string(std::string_view key) const;
    Result<std::string> string_or(std::string_view key, std::string fallback) const;

    // An integer in [min, max].
    Result<std::optional<unsigned>> optional_uint(std::string_view key, unsigned min, unsigned max) const;
    Result<std::optional<bool>> optional_bool(std::string_view key) const;

    // A string parsed by T::parse (Ipv4, Cidr, Mac); the parser's message
    // follows the key.
    template <typename T>
    Result<std::optional<T>> optional(std::string_view key) const;
    template <typename T>
    Result<T> required(std::string_view key) const;
    template <typename T>
    Result<T> value_or(std::string_view key, T fallback) const;

    // Interface names, by the kernel's rule.
    Result<std::optional<std::string>> optional_ifname(std::string_view key) const;
    Result<std::string> required_ifname(std::string_view key) const;
    Result<std::string> ifname_or(std::string_view key, std::string fallback) const;

    // A name used as one folder of a path: no '/', not "." or "..".
    Result<std::string> required_folder_name(std::string_view key) const;
    // A path that must start with '/'.
    Result<std::optional<std::string>> optional_absolute_path(std::string_view key) const;
    // A JSON object or array kept as it is; `shape` says what is expected
    // ("{nameservers, domain, search, options}").
    Result<std::optional<nlohmann::json>> optional_object(std::string_view key, std::string_view shape = "") const;
    Result<std::optional<nlohmann::json>> optional_array(std::string_view key, std::string_view shape = "") const;

private:
    const nlohmann::json &object_;
    std::string where_;
};

template <typename T>
Result<std::optional<T>> ConfigFields::optional(std::string_view key) const {
    auto text = optional_string(key);
    if (!text) return text.error();
    if (!*text) return std::optional<T>{};
    auto value = T::parse(**text);
    if (!value) return value.error().wrap(where_ + std::string(key));
    return std::optional<T>{*value};
}

template <typename T>
Result<T> ConfigFields::required(std::string_view key) const {
    auto value = optional<T>(key);
    if (!value) return value.error();
    if (!*value) return error(key, "missing (required)");
    return **value;
}

template <typename T>
Result<T> ConfigFields::value_or(std::string_view key, T fallback) const {
    auto value = optional<T>(key);
    if (!value) return value.error();
    return value->value_or(std::move(fallback));
}

}  // namespace podlane
