// GPT-2's pre-tokenisation pattern, written out by hand (std::regex has no \p{L}):
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// \p{L} and \p{N} come from unicode_text.h's approximate categories; \s is Python's
// str.isspace(). Bytes that are not UTF-8 count as "other" (neither letter, number nor space).
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace attn {

// The byte spans [begin, end) of the pieces, in order, covering the whole text.
std::vector<std::pair<std::size_t, std::size_t>> gpt2Pretokenize(std::string_view utf8);

} // namespace attn
