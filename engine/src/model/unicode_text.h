// UTF-8 decoding with byte offsets, and an approximate Unicode general category for the
// tokenizers. No ICU: the table in unicode_text.cpp lists the ranges that matter for the
// pre-tokenisation of GPT-2 and BERT (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic, Thai,
// CJK, kana, Hangul, full-width forms, punctuation and symbol blocks, emoji); any other
// assigned-looking code point below U+E0000 counts as a letter.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace attn::unicode {

struct Char {
    char32_t cp = 0;        // U+FFFD for a byte that is not valid UTF-8
    std::size_t begin = 0;  // byte span in the original text
    std::size_t end = 0;
    bool valid = true;      // false: one stray byte, kept as-is by byte-level BPE
};

// Every code point of the text; each invalid byte becomes a Char of its own.
std::vector<Char> decode(std::string_view utf8);

enum class Category {
    Letter,        // L*
    Mark,          // M*
    Number,        // N*
    Punctuation,   // P*
    Symbol,        // S*
    SpaceSeparator,// Zs
    LineSeparator, // Zl, Zp
    Control,       // Cc
    Format,        // Cf
    Other,         // Co, Cn, Cs
};

Category category(char32_t cp);

inline bool isNumber(char32_t cp) { return category(cp) == Category::Number; }
// Python's str.isspace(), which is what \s matches in the GPT-2 pattern.
bool isPythonSpace(char32_t cp);
// BERT's _is_chinese_char: the CJK Unified Ideograph blocks, exactly.
bool isCjkIdeograph(char32_t cp);

// Simple lower-casing: ASCII, Latin-1, Latin Extended-A/Additional, Greek, Cyrillic,
// Armenian, Georgian, full-width Latin. Others are returned unchanged.
char32_t toLower(char32_t cp);
// NFD as far as accent stripping needs it: appends the base letter(s) of a precomposed
// character (Latin-1, Latin Extended-A, Greek tonos, Cyrillic й/ё, Hangul syllables into
// jamo); the character itself when there is no decomposition. Marks are dropped by the caller.
void decompose(char32_t cp, std::vector<char32_t>& out);

} // namespace attn::unicode
