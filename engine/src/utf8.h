// Reading and writing UTF-8, for the sandbox tokenizer and the models' tokenizers alike.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace attn {

constexpr char32_t replacementChar = 0xFFFD;

struct Utf8Step {
    char32_t code;      // U+FFFD where the bytes are not UTF-8
    std::size_t length; // bytes read, at least 1
    bool valid;
};

// The code point that starts at byte i of s (i < s.size()), read strictly: no overlong
// forms, surrogates or values past U+10FFFF. What is not UTF-8 is one U+FFFD per
// "maximal subpart", Unicode's practice that Qt and browsers follow: a byte that cannot
// start or continue a sequence, or a well-formed start cut short.
Utf8Step decodeUtf8(std::string_view s, std::size_t i);

void appendUtf8(std::string& out, char32_t code);

} // namespace attn
