// A CLI11 transform that accepts exactly the words of a mode table
// (mode_words.h) and stores the value. Help and errors read as with
// CLI::IsMember ("{bridge,veth}", "foo not in {bridge,veth}"); unlike
// CLI::CheckedTransformer, the values' numbers are not accepted as words.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

#include "mode_words.h"

namespace podlane {

template <typename Mode, std::size_t N>
CLI::Validator one_of(const ModeWord<Mode> (&table)[N]) {
    std::vector<ModeWord<Mode>> rows(std::begin(table), std::end(table));
    std::string words;
    for (const auto &row : rows) words += (words.empty() ? "{" : ",") + std::string(row.word);
    words += "}";
    return CLI::Validator(
        [rows, words](std::string &input) -> std::string {
            for (const auto &row : rows)
                if (input == row.word) {
                    // CLI11 then reads the enum from its number.
                    input = std::to_string(static_cast<std::underlying_type_t<Mode>>(row.mode));
                    return {};
                }
            return input + " not in " + words;
        },
        words);
}

}  // namespace podlane
