#include "unicode_text.h"

#include "utf8.h"

#include <algorithm>
#include <array>

namespace attn::unicode {

std::vector<Char> decode(std::string_view s)
{
    std::vector<Char> out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        // Not UTF-8: a Char per byte, which byte-level BPE keeps as that byte.
        const Utf8Step step = decodeUtf8(s, i);
        const std::size_t length = step.valid ? step.length : 1;
        out.push_back({step.code, i, i + length, step.valid});
        i += length;
    }
    return out;
}

namespace {

using C = Category;

struct Range {
    char32_t first;
    char32_t last;
    Category category;
};

// Sorted, non-overlapping. Code points in no range (from U+0080 to U+DFFFF) are letters.
constexpr Range kRanges[] = {
    {0x80, 0x9F, C::Control}, {0xA0, 0xA0, C::SpaceSeparator}, {0xA1, 0xA1, C::Punctuation},
    {0xA2, 0xA6, C::Symbol}, {0xA7, 0xA7, C::Punctuation}, {0xA8, 0xA9, C::Symbol}, {0xAB, 0xAB, C::Punctuation},
    {0xAC, 0xAC, C::Symbol}, {0xAD, 0xAD, C::Format}, {0xAE, 0xB1, C::Symbol}, {0xB2, 0xB3, C::Number},
    {0xB4, 0xB4, C::Symbol}, {0xB6, 0xB7, C::Punctuation}, {0xB8, 0xB8, C::Symbol}, {0xB9, 0xB9, C::Number},
    {0xBB, 0xBB, C::Punctuation}, {0xBC, 0xBE, C::Number}, {0xBF, 0xBF, C::Punctuation}, {0xD7, 0xD7, C::Symbol},
    {0xF7, 0xF7, C::Symbol}, {0x2C2, 0x2C5, C::Symbol}, {0x2D2, 0x2DF, C::Symbol}, {0x2E5, 0x2EB, C::Symbol},
    {0x2ED, 0x2ED, C::Symbol}, {0x2EF, 0x2FF, C::Symbol}, {0x300, 0x36F, C::Mark}, {0x374, 0x375, C::Symbol},
    {0x37E, 0x37E, C::Punctuation}, {0x384, 0x385, C::Symbol}, {0x387, 0x387, C::Punctuation},
    {0x3F6, 0x3F6, C::Symbol}, {0x482, 0x482, C::Symbol}, {0x483, 0x489, C::Mark}, {0x55A, 0x55F, C::Punctuation},
    {0x589, 0x58A, C::Punctuation}, {0x58D, 0x58F, C::Symbol}, {0x591, 0x5BD, C::Mark},
    {0x5BE, 0x5BE, C::Punctuation}, {0x5BF, 0x5BF, C::Mark}, {0x5C0, 0x5C0, C::Punctuation},
    {0x5C1, 0x5C2, C::Mark}, {0x5C3, 0x5C3, C::Punctuation}, {0x5C4, 0x5C5, C::Mark},
    {0x5C6, 0x5C6, C::Punctuation}, {0x5C7, 0x5C7, C::Mark}, {0x5F3, 0x5F4, C::Punctuation},
    {0x600, 0x605, C::Format}, {0x606, 0x608, C::Symbol}, {0x609, 0x60A, C::Punctuation}, {0x60B, 0x60B, C::Symbol},
    {0x60C, 0x60D, C::Punctuation}, {0x60E, 0x60F, C::Symbol}, {0x610, 0x61A, C::Mark},
    {0x61B, 0x61B, C::Punctuation}, {0x61C, 0x61C, C::Format}, {0x61D, 0x61F, C::Punctuation},
    {0x64B, 0x65F, C::Mark}, {0x660, 0x669, C::Number}, {0x66A, 0x66D, C::Punctuation}, {0x670, 0x670, C::Mark},
    {0x6D4, 0x6D4, C::Punctuation}, {0x6D6, 0x6DC, C::Mark}, {0x6DD, 0x6DD, C::Format}, {0x6DE, 0x6DE, C::Symbol},
    {0x6DF, 0x6E4, C::Mark}, {0x6E7, 0x6E8, C::Mark}, {0x6E9, 0x6E9, C::Symbol}, {0x6EA, 0x6ED, C::Mark},
    {0x6F0, 0x6F9, C::Number},
    // U+0900..U+0DFF (Indic) are handled by indicCategory().
    {0xE31, 0xE31, C::Mark}, {0xE34, 0xE3A, C::Mark}, {0xE3F, 0xE3F, C::Symbol}, {0xE47, 0xE4E, C::Mark},
    {0xE4F, 0xE4F, C::Punctuation}, {0xE50, 0xE59, C::Number}, {0xE5A, 0xE5B, C::Punctuation},
    {0xEB1, 0xEB1, C::Mark}, {0xEB4, 0xEBC, C::Mark}, {0xEC8, 0xECE, C::Mark}, {0xED0, 0xED9, C::Number},
    {0x1040, 0x1049, C::Number}, {0x10FB, 0x10FB, C::Punctuation}, {0x1360, 0x1368, C::Punctuation},
    {0x1369, 0x137C, C::Number}, {0x1680, 0x1680, C::SpaceSeparator}, {0x16EB, 0x16ED, C::Punctuation},
    {0x16EE, 0x16F0, C::Number}, {0x17D4, 0x17D6, C::Punctuation}, {0x17E0, 0x17E9, C::Number},
    {0x1800, 0x180A, C::Punctuation}, {0x180B, 0x180D, C::Mark}, {0x180E, 0x180E, C::Format},
    {0x1810, 0x1819, C::Number}, {0x1AB0, 0x1AFF, C::Mark}, {0x1DC0, 0x1DFF, C::Mark},
    {0x1FBD, 0x1FBD, C::Symbol}, {0x1FBF, 0x1FC1, C::Symbol}, {0x1FCD, 0x1FCF, C::Symbol},
    {0x1FDD, 0x1FDF, C::Symbol}, {0x1FED, 0x1FEF, C::Symbol}, {0x1FFD, 0x1FFE, C::Symbol},
    {0x2000, 0x200A, C::SpaceSeparator}, {0x200B, 0x200F, C::Format}, {0x2010, 0x2027, C::Punctuation},
    {0x2028, 0x2029, C::LineSeparator}, {0x202A, 0x202E, C::Format}, {0x202F, 0x202F, C::SpaceSeparator},
    {0x2030, 0x2043, C::Punctuation}, {0x2044, 0x2044, C::Symbol}, {0x2045, 0x2051, C::Punctuation},
    {0x2052, 0x2052, C::Symbol}, {0x2053, 0x205E, C::Punctuation}, {0x205F, 0x205F, C::SpaceSeparator},
    {0x2060, 0x206F, C::Format}, {0x2070, 0x2070, C::Number}, {0x2074, 0x2079, C::Number},
    {0x207A, 0x207C, C::Symbol}, {0x207D, 0x207E, C::Punctuation}, {0x2080, 0x2089, C::Number},
    {0x208A, 0x208C, C::Symbol}, {0x208D, 0x208E, C::Punctuation}, {0x20A0, 0x20CF, C::Symbol},
    {0x20D0, 0x20FF, C::Mark}, {0x2100, 0x2101, C::Symbol}, {0x2103, 0x2106, C::Symbol}, {0x2108, 0x2109, C::Symbol},
    {0x2114, 0x2114, C::Symbol}, {0x2116, 0x2118, C::Symbol}, {0x211E, 0x2123, C::Symbol},
    {0x2125, 0x2125, C::Symbol}, {0x2127, 0x2127, C::Symbol}, {0x2129, 0x2129, C::Symbol},
    {0x212E, 0x212E, C::Symbol}, {0x213A, 0x213B, C::Symbol}, {0x2140, 0x2144, C::Symbol},
    {0x214A, 0x214D, C::Symbol}, {0x214F, 0x214F, C::Symbol}, {0x2150, 0x2182, C::Number},
    {0x2185, 0x2189, C::Number}, {0x218A, 0x2307, C::Symbol}, {0x2308, 0x230B, C::Punctuation},
    {0x230C, 0x2328, C::Symbol}, {0x2329, 0x232A, C::Punctuation}, {0x232B, 0x245F, C::Symbol},
    {0x2460, 0x249B, C::Number}, {0x249C, 0x24E9, C::Symbol}, {0x24EA, 0x24FF, C::Number},
    {0x2500, 0x2767, C::Symbol}, {0x2768, 0x2775, C::Punctuation}, {0x2776, 0x2793, C::Number},
    {0x2794, 0x27C4, C::Symbol}, {0x27C5, 0x27C6, C::Punctuation}, {0x27C7, 0x27E5, C::Symbol},
    {0x27E6, 0x27EF, C::Punctuation}, {0x27F0, 0x2982, C::Symbol}, {0x2983, 0x2998, C::Punctuation},
    {0x2999, 0x29D7, C::Symbol}, {0x29D8, 0x29DB, C::Punctuation}, {0x29DC, 0x29FB, C::Symbol},
    {0x29FC, 0x29FD, C::Punctuation}, {0x29FE, 0x2BFF, C::Symbol}, {0x2CE5, 0x2CEA, C::Symbol},
    {0x2CEF, 0x2CF1, C::Mark}, {0x2CF9, 0x2CFC, C::Punctuation}, {0x2CFD, 0x2CFD, C::Number},
    {0x2CFE, 0x2CFF, C::Punctuation}, {0x2D70, 0x2D70, C::Punctuation}, {0x2D7F, 0x2D7F, C::Mark},
    {0x2DE0, 0x2DFF, C::Mark}, {0x2E00, 0x2E7F, C::Punctuation}, {0x2E80, 0x2FFF, C::Symbol},
    {0x3000, 0x3000, C::SpaceSeparator}, {0x3001, 0x3003, C::Punctuation}, {0x3004, 0x3004, C::Symbol},
    {0x3007, 0x3007, C::Number}, {0x3008, 0x3011, C::Punctuation}, {0x3012, 0x3013, C::Symbol},
    {0x3014, 0x301F, C::Punctuation}, {0x3020, 0x3020, C::Symbol}, {0x3021, 0x3029, C::Number},
    {0x302A, 0x302F, C::Mark}, {0x3030, 0x3030, C::Punctuation}, {0x3036, 0x3037, C::Symbol},
    {0x3038, 0x303A, C::Number}, {0x303D, 0x303D, C::Punctuation}, {0x303E, 0x303F, C::Symbol},
    {0x3099, 0x309A, C::Mark}, {0x309B, 0x309C, C::Symbol}, {0x30A0, 0x30A0, C::Punctuation},
    {0x30FB, 0x30FB, C::Punctuation}, {0x3190, 0x3191, C::Symbol}, {0x3192, 0x3195, C::Number},
    {0x3196, 0x319F, C::Symbol}, {0x31C0, 0x31EF, C::Symbol}, {0x3200, 0x321F, C::Symbol},
    {0x3220, 0x3229, C::Number}, {0x322A, 0x3247, C::Symbol}, {0x3248, 0x324F, C::Number},
    {0x3250, 0x3250, C::Symbol}, {0x3251, 0x325F, C::Number}, {0x3260, 0x327F, C::Symbol},
    {0x3280, 0x3289, C::Number}, {0x328A, 0x32B0, C::Symbol}, {0x32B1, 0x32BF, C::Number},
    {0x32C0, 0x33FF, C::Symbol}, {0x4DC0, 0x4DFF, C::Symbol}, {0xA490, 0xA4CF, C::Symbol},
    {0xA4FE, 0xA4FF, C::Punctuation}, {0xA60D, 0xA60F, C::Punctuation}, {0xA620, 0xA629, C::Number},
    {0xA66F, 0xA67D, C::Mark}, {0xA67E, 0xA67E, C::Punctuation}, {0xA69E, 0xA69F, C::Mark},
    {0xA6E6, 0xA6EF, C::Number}, {0xA6F0, 0xA6F1, C::Mark}, {0xA6F2, 0xA6F7, C::Punctuation},
    {0xA700, 0xA716, C::Symbol}, {0xA720, 0xA721, C::Symbol}, {0xA789, 0xA78A, C::Symbol},
    {0xD800, 0xF8FF, C::Other}, {0xFB1E, 0xFB1E, C::Mark}, {0xFB29, 0xFB29, C::Symbol},
    {0xFD3E, 0xFD3F, C::Punctuation}, {0xFDFC, 0xFDFF, C::Symbol}, {0xFE00, 0xFE0F, C::Mark},
    {0xFE10, 0xFE19, C::Punctuation}, {0xFE20, 0xFE2F, C::Mark}, {0xFE30, 0xFE61, C::Punctuation},
    {0xFE62, 0xFE66, C::Symbol}, {0xFE68, 0xFE6B, C::Punctuation}, {0xFEFF, 0xFEFF, C::Format},
    {0xFF01, 0xFF03, C::Punctuation}, {0xFF04, 0xFF04, C::Symbol}, {0xFF05, 0xFF0A, C::Punctuation},
    {0xFF0B, 0xFF0B, C::Symbol}, {0xFF0C, 0xFF0F, C::Punctuation}, {0xFF10, 0xFF19, C::Number},
    {0xFF1A, 0xFF1B, C::Punctuation}, {0xFF1C, 0xFF1E, C::Symbol}, {0xFF1F, 0xFF20, C::Punctuation},
    {0xFF3B, 0xFF3D, C::Punctuation}, {0xFF3E, 0xFF3E, C::Symbol}, {0xFF3F, 0xFF3F, C::Punctuation},
    {0xFF40, 0xFF40, C::Symbol}, {0xFF5B, 0xFF5B, C::Punctuation}, {0xFF5C, 0xFF5C, C::Symbol},
    {0xFF5D, 0xFF5D, C::Punctuation}, {0xFF5E, 0xFF5E, C::Symbol}, {0xFF5F, 0xFF65, C::Punctuation},
    {0xFFE0, 0xFFEF, C::Symbol}, {0xFFF0, 0xFFF8, C::Other}, {0xFFF9, 0xFFFB, C::Format},
    {0xFFFC, 0xFFFD, C::Symbol}, {0xFFFE, 0xFFFF, C::Other}, {0x10100, 0x1013F, C::Number},
    {0x1D000, 0x1D24F, C::Symbol}, {0x1D2E0, 0x1D37F, C::Number}, {0x1D7CE, 0x1D7FF, C::Number},
    {0x1F000, 0x1F0FF, C::Symbol}, {0x1F100, 0x1F10C, C::Number}, {0x1F10D, 0x1FBEF, C::Symbol},
    {0x1FBF0, 0x1FBF9, C::Number}, {0x1FBFA, 0x1FFFF, C::Other},
};

// The Indic blocks share one layout: signs at the start, a nukta, vowel signs and a virama
// in the middle, danda punctuation and ten digits at fixed offsets.
Category indicCategory(char32_t cp)
{
    const unsigned offset = unsigned(cp & 0x7F);
    if (offset <= 0x03 || (offset >= 0x3A && offset <= 0x3C) || (offset >= 0x3E && offset <= 0x4F)
        || (offset >= 0x51 && offset <= 0x57) || offset == 0x62 || offset == 0x63)
        return C::Mark;
    if (cp >= 0x964 && cp <= 0x965)
        return C::Punctuation;
    if (offset >= 0x66 && offset <= 0x6F)
        return C::Number;
    return C::Letter;
}

Category asciiCategory(char32_t cp)
{
    if (cp == ' ')
        return C::SpaceSeparator;
    if (cp < 0x20 || cp == 0x7F)
        return C::Control;
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
        return C::Letter;
    if (cp >= '0' && cp <= '9')
        return C::Number;
    switch (cp) {
    case '$': case '+': case '<': case '=': case '>': case '^': case '`': case '|': case '~':
        return C::Symbol;
    default:
        return C::Punctuation;
    }
}

} // namespace

Category category(char32_t cp)
{
    if (cp < 0x80)
        return asciiCategory(cp);
    if (cp >= 0x900 && cp <= 0xDFF)
        return indicCategory(cp);
    const auto* end = std::end(kRanges);
    const auto* it = std::upper_bound(std::begin(kRanges), end, cp,
                                      [](char32_t value, const Range& r) { return value < r.first; });
    if (it != std::begin(kRanges) && cp <= (it - 1)->last)
        return (it - 1)->category;
    if (cp >= 0xE0000)
        return (cp >= 0xE0100 && cp <= 0xE01EF) ? C::Mark : (cp <= 0xE007F ? C::Format : C::Other);
    return C::Letter;
}

bool isPythonSpace(char32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
           || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
           || cp == 0x3000;
}

bool isCjkIdeograph(char32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
           || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
           || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

char32_t toLower(char32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp < 0xC0)
        return cp;
    if ((cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F)
        || (cp >= 0xFF21 && cp <= 0xFF3A))
        return cp + 32;
    if (cp == 0x130)
        return 'i'; // İ; Python gives i + U+0307, which accent stripping removes anyway
    if (cp == 0x178)
        return 0xFF;
    const bool evenUpper = (cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177) || (cp >= 0x460 && cp <= 0x481)
                           || (cp >= 0x48A && cp <= 0x4BF) || (cp >= 0x4D0 && cp <= 0x52F)
                           || (cp >= 0x1E00 && cp <= 0x1E95) || (cp >= 0x1EA0 && cp <= 0x1EFF);
    if (evenUpper)
        return (cp % 2 == 0) ? cp + 1 : cp;
    const bool oddUpper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E) || (cp >= 0x4C1 && cp <= 0x4CE);
    if (oddUpper)
        return (cp % 2 == 1) ? cp + 1 : cp;
    if (cp == 0x386)
        return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A)
        return cp + 37;
    if (cp == 0x38C)
        return 0x3CC;
    if (cp == 0x38E || cp == 0x38F)
        return cp + 63;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 80;
    if (cp >= 0x531 && cp <= 0x556)
        return cp + 48;
    if (cp >= 0x10A0 && cp <= 0x10C5)
        return cp + 0x1C60;
    if (cp >= 0x24B6 && cp <= 0x24CF)
        return cp + 26;
    return cp;
}

void decompose(char32_t cp, std::vector<char32_t>& out)
{
    // Base letters of U+00C0..U+017F; '.' where the character has no canonical decomposition.
    static constexpr std::string_view latin = "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..aaaaaa.ceeeeiiii.nooooo..uuuuy.y"
                                              "AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGgGgGgHh..IiIiIiIiI...JjKk.LlLlLl."
                                              "...NnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZz.";
    if (cp >= 0xC0 && cp <= 0x17F && latin[cp - 0xC0] != '.') {
        out.push_back(char32_t(latin[cp - 0xC0]));
        out.push_back(0x301); // a stand-in mark: callers drop marks, and only the base matters
        return;
    }
    if (cp >= 0xAC00 && cp <= 0xD7A3) { // Hangul syllables, algorithmically
        const char32_t s = cp - 0xAC00;
        out.push_back(0x1100 + s / 588);
        out.push_back(0x1161 + (s % 588) / 28);
        if (s % 28 != 0)
            out.push_back(0x11A7 + s % 28);
        return;
    }
    struct Pair {
        char32_t composed, base;
    };
    static constexpr std::array<Pair, 24> pairs{{
        {0x386, 0x391}, {0x388, 0x395}, {0x389, 0x397}, {0x38A, 0x399}, {0x38C, 0x39F}, {0x38E, 0x3A5},
        {0x38F, 0x3A9}, {0x390, 0x3B9}, {0x3AC, 0x3B1}, {0x3AD, 0x3B5}, {0x3AE, 0x3B7}, {0x3AF, 0x3B9},
        {0x3CA, 0x3B9}, {0x3CB, 0x3C5}, {0x3CC, 0x3BF}, {0x3CD, 0x3C5}, {0x3CE, 0x3C9}, {0x3B0, 0x3C5},
        {0x401, 0x415}, {0x419, 0x418}, {0x439, 0x438}, {0x451, 0x435}, {0x407, 0x406}, {0x457, 0x456},
    }};
    for (const Pair& p : pairs) {
        if (p.composed == cp) {
            out.push_back(p.base);
            out.push_back(0x301);
            return;
        }
    }
    out.push_back(cp);
}

} // namespace attn::unicode
