#include "special_tokens.h"

namespace attn {

void encodeAroundSpecialTokens(
    std::string_view text, const std::vector<std::string>& specialTokens,
    const std::unordered_map<std::string, int>& vocab, Encoding& out,
    const std::function<void(std::string_view chunk, std::size_t offset, Encoding& out)>& encodeChunk)
{
    std::size_t done = 0;
    while (done < text.size()) {
        std::size_t found = std::string_view::npos;
        const std::string* special = nullptr;
        for (const std::string& s : specialTokens) {
            const std::size_t at = text.find(s, done);
            if (at < found) {
                found = at;
                special = &s;
            }
        }
        encodeChunk(text.substr(done, found == std::string_view::npos ? std::string_view::npos : found - done), done,
                    out);
        if (!special)
            break;
        out.ids.push_back(vocab.at(*special));
        out.tokens.push_back({*special, found, found + special->size()});
        done = found + special->size();
    }
}

} // namespace attn
