// Splits UTF-8 text into words and punctuation, keeping each token's byte span.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

struct Token {
    std::string text;       // valid UTF-8; invalid input bytes become U+FFFD
    std::size_t begin = 0;  // byte span [begin, end) in the original text
    std::size_t end = 0;

    bool operator==(const Token&) const = default;
};

// Words are runs of letters, digits and marks (any script; Arabic and Hebrew included).
// Each punctuation mark, each CJK ideograph or kana, and each emoji (with its modifiers
// and zero-width joiners) is a token of its own. White space separates and is dropped.
std::vector<Token> tokenize(std::string_view utf8);

} // namespace attn
