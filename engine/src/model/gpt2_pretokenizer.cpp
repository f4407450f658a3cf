#include "gpt2_pretokenizer.h"

#include "unicode_text.h"

namespace attn {

namespace {

enum class Kind { Letter, Number, Space, Other };

Kind kindOf(const unicode::Char& c)
{
    if (!c.valid)
        return Kind::Other;
    if (unicode::isPythonSpace(c.cp))
        return Kind::Space;
    switch (unicode::category(c.cp)) {
    case unicode::Category::Letter: return Kind::Letter;
    case unicode::Category::Number: return Kind::Number;
    default: return Kind::Other;
    }
}

// Length in characters of a contraction ('s 't 're 've 'm 'll 'd) at i, or 0.
std::size_t contractionAt(const std::vector<unicode::Char>& cs, std::size_t i)
{
    if (cs[i].cp != U'\'' || i + 1 >= cs.size())
        return 0;
    const char32_t a = cs[i + 1].cp;
    if (a == U's' || a == U't' || a == U'm' || a == U'd')
        return 2;
    if (i + 2 < cs.size()) {
        const char32_t b = cs[i + 2].cp;
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l'))
            return 3;
    }
    return 0;
}

} // namespace

std::vector<std::pair<std::size_t, std::size_t>> gpt2Pretokenize(std::string_view utf8)
{
    const std::vector<unicode::Char> cs = unicode::decode(utf8);
    std::vector<Kind> kinds(cs.size());
    for (std::size_t i = 0; i < cs.size(); ++i)
        kinds[i] = kindOf(cs[i]);

    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    std::size_t i = 0;
    while (i < cs.size()) {
        std::size_t end = i;
        if (const std::size_t length = contractionAt(cs, i)) {
            end = i + length;
        } else {
            // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional U+0020, then a run of
            // one kind. The three are exclusive, so the kind of the first character decides.
            const std::size_t start = (cs[i].cp == U' ' && i + 1 < cs.size() && kinds[i + 1] != Kind::Space) ? i + 1 : i;
            const Kind kind = kinds[start];
            if (kind != Kind::Space) {
                end = start;
                while (end < cs.size() && kinds[end] == kind)
                    ++end;
            } else {
                // "\s+(?!\S)": the whole run at the end of the text, else all but its last
                // character (which then leads the next word); "\s+" for a single one.
                std::size_t run = i;
                while (run < cs.size() && kinds[run] == Kind::Space)
                    ++run;
                if (run == cs.size() || run - i == 1)
                    end = run;
                else
                    end = run - 1;
            }
        }
        pieces.emplace_back(cs[i].begin, cs[end - 1].end);
        i = end;
    }
    return pieces;
}

} // namespace attn
