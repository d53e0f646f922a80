// The words of an enum's values, as a table: the command line accepts them
// (cli_words.h), and the logs, agent.json and podlanectl get the same words
// back from word_of(). One table per enum, so each word is spelled once.
#pragma once

#include <cstddef>

namespace podlane {

template <typename Mode>
struct ModeWord {
    Mode mode;
    const char *word;
};

template <typename Mode, std::size_t N>
constexpr const char *word_of(const ModeWord<Mode> (&table)[N], Mode mode) {
    for (const auto &row : table)
        if (row.mode == mode) return row.word;
    return "?";  // a value missing from its table: a bug, shown rather than hidden
}

}  // namespace podlane
