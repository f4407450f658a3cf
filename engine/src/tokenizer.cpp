#include "attn/tokenizer.h"

#include "utf8.h"

#include <cstdint>

namespace attn {

namespace {

enum class Kind {
    Space,      // separates, dropped
    Word,       // letters, digits, marks of any script
    Single,     // a token by itself: punctuation, symbols, CJK ideographs, kana
    Emoji,      // a token by itself, joined with what ZWJ links to it
    Regional,   // regional indicator: two make a flag
    Extender,   // attaches to the token before it (ZWJ, variation selectors, skin tones, marks)
};

bool in(char32_t c, char32_t low, char32_t high)
{
    return c >= low && c <= high;
}

// Thai's vowel signs above and below and its tone marks, written over or under a letter.
bool isThaiMark(char32_t c)
{
    return c == 0x0E31 || in(c, 0x0E34, 0x0E3A) || in(c, 0x0E47, 0x0E4E);
}

Kind classify(char32_t c)
{
    if (c < 0x80) {
        if (c <= 0x20 || c == 0x7F)
            return Kind::Space;
        if (in(c, '0', '9') || in(c, 'A', 'Z') || in(c, 'a', 'z') || c == '_')
            return Kind::Word;
        return Kind::Single;
    }
    if (in(c, 0x80, 0xA0) || c == 0x1680 || in(c, 0x2000, 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
        || c == 0x205F || c == 0x3000 || c == 0xFEFF)
        return Kind::Space;
    if (c == 0x200D || in(c, 0xFE00, 0xFE0F) || in(c, 0x1F3FB, 0x1F3FF) || c == 0x20E3 || in(c, 0xE0020, 0xE007F)
        || in(c, 0x0300, 0x036F) || in(c, 0x1AB0, 0x1AFF) || in(c, 0x1DC0, 0x1DFF) || in(c, 0x20D0, 0x20FF)
        || isThaiMark(c) || in(c, 0x3099, 0x309A))
        return Kind::Extender;
    if (in(c, 0x1F1E6, 0x1F1FF))
        return Kind::Regional;
    if (in(c, 0x1F000, 0x1FAFF) || in(c, 0x2600, 0x27BF) || in(c, 0x2B00, 0x2BFF) || c == 0x231A || c == 0x231B
        || in(c, 0x23E9, 0x23FA))
        return Kind::Emoji;
    // Scripts written without spaces: one token per character.
    if (in(c, 0x3040, 0x30FF) || in(c, 0x3400, 0x4DBF) || in(c, 0x4E00, 0x9FFF) || in(c, 0xF900, 0xFAFF)
        || in(c, 0x20000, 0x3FFFF) || in(c, 0x0E00, 0x0E7F))
        return Kind::Single;
    // Punctuation and symbols of Latin-1, general punctuation, arrows, maths, CJK and
    // full-width forms, Arabic, Hebrew and Devanagari.
    if ((in(c, 0xA1, 0xBF) && c != 0xAA && c != 0xB5 && c != 0xBA) || c == 0xD7 || c == 0xF7
        || in(c, 0x2010, 0x2027) || in(c, 0x2030, 0x205E) || in(c, 0x2070, 0x209F) || in(c, 0x20A0, 0x20CF)
        || in(c, 0x2100, 0x214F) || in(c, 0x2190, 0x23FF) || in(c, 0x2500, 0x25FF) || in(c, 0x3001, 0x303F)
        || in(c, 0xFF01, 0xFF0F) || in(c, 0xFF1A, 0xFF20) || in(c, 0xFF3B, 0xFF40) || in(c, 0xFF5B, 0xFF65)
        || c == 0x060C || c == 0x061B || c == 0x061F || c == 0x06D4 || in(c, 0x066A, 0x066D) || c == 0x05BE
        || c == 0x05C0 || c == 0x05C3 || c == 0x05C6 || in(c, 0x05F3, 0x05F4) || in(c, 0x0964, 0x0965)
        || c == replacementChar || in(c, 0xFFF0, 0xFFFF))
        return Kind::Single;
    return Kind::Word;
}

// An apostrophe inside a word ("don't") and a point or comma inside a number ("3.14")
// belong to the word.
bool joinsWord(char32_t c, char32_t before, char32_t after)
{
    const auto digit = [](char32_t d) { return in(d, '0', '9'); };
    if (c == '\'' || c == 0x2019)
        return classify(before) == Kind::Word && classify(after) == Kind::Word;
    if (c == '.' || c == ',')
        return digit(before) && digit(after);
    return false;
}

} // namespace

std::vector<Token> tokenize(std::string_view utf8)
{
    struct Unit {
        char32_t code;
        std::size_t begin, end;
    };
    std::vector<Unit> units;
    units.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size();) {
        const Utf8Step step = decodeUtf8(utf8, i);
        units.push_back({step.code, i, i + step.length});
        i += step.length;
    }

    std::vector<Token> tokens;
    bool open = false;       // the last token may still grow
    Kind openKind = Kind::Space;
    bool afterJoiner = false; // the last unit was a ZWJ inside an emoji
    const auto start = [&](const Unit& u, Kind kind) {
        tokens.push_back({{}, u.begin, u.end});
        appendUtf8(tokens.back().text, u.code);
        open = true;
        openKind = kind;
    };
    const auto extend = [&](const Unit& u) {
        appendUtf8(tokens.back().text, u.code);
        tokens.back().end = u.end;
    };

    for (std::size_t i = 0; i < units.size(); ++i) {
        const Unit& u = units[i];
        Kind kind = classify(u.code);
        if (kind == Kind::Single && open && openKind == Kind::Word && i + 1 < units.size()
            && joinsWord(u.code, units[i - 1].code, units[i + 1].code))
            kind = Kind::Word;

        switch (kind) {
        case Kind::Space:
            open = false;
            break;
        case Kind::Extender:
            if (open)
                extend(u);
            else
                start(u, Kind::Single);
            afterJoiner = u.code == 0x200D && openKind == Kind::Emoji;
            continue;
        case Kind::Word:
            if (open && openKind == Kind::Word)
                extend(u);
            else
                start(u, Kind::Word);
            break;
        case Kind::Emoji:
            if (open && openKind == Kind::Emoji && afterJoiner)
                extend(u);
            else
                start(u, Kind::Emoji);
            break;
        case Kind::Regional:
            if (open && openKind == Kind::Regional) {
                extend(u);
                open = false; // a flag is two indicators, no more
            } else {
                start(u, Kind::Regional);
            }
            break;
        case Kind::Single:
            start(u, Kind::Single); // open to the marks after it alone ("#️⃣", a Thai letter)
            break;
        }
        afterJoiner = false;
    }
    return tokens;
}

} // namespace attn
