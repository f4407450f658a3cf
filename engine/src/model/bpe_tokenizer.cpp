#include "attn/model/bpe_tokenizer.h"

#include "attn/error.h"
#include "gpt2_pretokenizer.h"
#include "special_tokens.h"
#include "text_files.h"
#include "tokenizer_json.h"
#include "unicode_text.h"
#include "utf8.h"

#include <array>
#include <climits>
#include <cstdio>

namespace attn {

namespace {

// GPT-2's bytes_to_unicode(): printable Latin-1 bytes map to themselves, the other 68 to
// U+0100 and up, so every byte has a visible, non-space spelling (space is "Ġ").
struct ByteMap {
    std::array<std::string, 256> symbol;
    std::unordered_map<std::string, unsigned char> byte;

    ByteMap()
    {
        int next = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const char32_t cp = printable ? char32_t(b) : char32_t(256 + next++);
            appendUtf8(symbol[std::size_t(b)], cp);
            byte.emplace(symbol[std::size_t(b)], static_cast<unsigned char>(b));
        }
    }
};

const ByteMap& byteMap()
{
    static const ByteMap map;
    return map;
}

std::string mergeKey(const std::string& a, const std::string& b)
{
    return a + ' ' + b; // byte-level symbols never contain U+0020
}

std::vector<std::pair<std::string, std::string>> parseMerges(const std::string& text, const std::string& path)
{
    std::vector<std::pair<std::string, std::string>> merges;
    std::size_t lineNumber = 0;
    for (const std::string& line : splitLines(text)) {
        ++lineNumber;
        if (line.empty() || (lineNumber == 1 && line.rfind("#version", 0) == 0))
            continue;
        const std::size_t space = line.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 >= line.size()
            || line.find(' ', space + 1) != std::string::npos)
            throw Error(path + ": line " + std::to_string(lineNumber) + " is \"" + line
                        + "\"; each merge line holds two symbols separated by one space.");
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    return merges;
}

std::unordered_map<std::string, int> parseVocab(const nlohmann::json& json, const std::string& path)
{
    if (!json.is_object())
        throw Error(path + ": the vocabulary is not a JSON object of token -> id.");
    std::unordered_map<std::string, int> vocab;
    for (const auto& [token, id] : json.items())
        vocab.emplace(token, tokenId(id, token, path));
    return vocab;
}

} // namespace

BpeTokenizer::BpeTokenizer(std::unordered_map<std::string, int> vocab,
                           std::vector<std::pair<std::string, std::string>> merges)
    : m_vocab(std::move(vocab))
{
    int largest = -1;
    for (const auto& [token, id] : m_vocab)
        largest = std::max(largest, id);
    m_idToToken.resize(std::size_t(largest + 1));
    for (const auto& [token, id] : m_vocab) {
        m_idToToken[std::size_t(id)] = token;
        if (token.size() > 4 && token.rfind("<|", 0) == 0 && token.compare(token.size() - 2, 2, "|>") == 0)
            m_specialTokens.push_back(token);
    }
    for (int b = 0; b < 256; ++b) {
        if (!m_vocab.count(byteMap().symbol[std::size_t(b)])) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", b);
            throw Error(std::string("the BPE vocabulary has no token for the byte ") + hex + " (\""
                        + byteMap().symbol[std::size_t(b)] + "\"), so it is not a GPT-2 byte-level vocabulary.");
        }
    }
    for (std::size_t rank = 0; rank < merges.size(); ++rank)
        m_mergeRanks.emplace(mergeKey(merges[rank].first, merges[rank].second), int(rank)); // first listing wins
}

std::shared_ptr<BpeTokenizer> BpeTokenizer::fromFiles(const std::string& vocabJson, const std::string& mergesTxt)
{
    auto vocab = parseVocab(readJsonFile(vocabJson), vocabJson);
    auto merges = parseMerges(readTextFile(mergesTxt), mergesTxt);
    try {
        return std::make_shared<BpeTokenizer>(std::move(vocab), std::move(merges));
    } catch (const Error& e) {
        throw Error(vocabJson + ": " + e.what());
    }
}

std::shared_ptr<BpeTokenizer> BpeTokenizer::fromTokenizerJson(const std::string& path)
{
    const nlohmann::json json = readJsonFile(path);
    const nlohmann::json& model = tokenizerModel(json, path, "BPE", "GPT-2");
    auto vocab = parseVocab(model.value("vocab", nlohmann::json()), path);
    std::vector<std::pair<std::string, std::string>> merges;
    for (const auto& merge : model.value("merges", nlohmann::json::array())) {
        if (merge.is_string()) {
            const std::string text = merge.get<std::string>();
            const std::size_t space = text.find(' ');
            if (space == std::string::npos)
                throw Error(path + ": the merge \"" + text + "\" is not two symbols separated by a space.");
            merges.emplace_back(text.substr(0, space), text.substr(space + 1));
        } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
            merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
        } else {
            throw Error(path + ": a merge is neither \"a b\" nor [\"a\", \"b\"].");
        }
    }
    // Added tokens such as <|endoftext|> belong to the vocabulary too.
    for (const auto& added : json.value("added_tokens", nlohmann::json::array())) {
        if (added.is_object() && added.contains("content") && added["content"].is_string() && added.contains("id"))
            vocab.emplace(added["content"].get<std::string>(), tokenId(added["id"], added["content"].get<std::string>(), path));
    }
    try {
        return std::make_shared<BpeTokenizer>(std::move(vocab), std::move(merges));
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

std::vector<std::string> BpeTokenizer::mergeWord(std::vector<std::string> word) const
{
    // OpenAI's encoder.py: merge the lowest-ranked adjacent pair everywhere, until none is left.
    while (word.size() > 1) {
        int best = INT_MAX;
        std::size_t bestAt = 0;
        for (std::size_t i = 0; i + 1 < word.size(); ++i) {
            const auto it = m_mergeRanks.find(mergeKey(word[i], word[i + 1]));
            if (it != m_mergeRanks.end() && it->second < best) {
                best = it->second;
                bestAt = i;
            }
        }
        if (best == INT_MAX)
            break;
        const std::string first = word[bestAt], second = word[bestAt + 1];
        std::vector<std::string> merged;
        merged.reserve(word.size());
        for (std::size_t i = 0; i < word.size();) {
            if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
                merged.push_back(first + second);
                i += 2;
            } else {
                merged.push_back(word[i]);
                i += 1;
            }
        }
        word = std::move(merged);
    }
    return word;
}

void BpeTokenizer::encodeChunk(std::string_view text, std::size_t offset, Encoding& out) const
{
    const ByteMap& map = byteMap();
    for (const auto& [begin, end] : gpt2Pretokenize(text)) {
        std::vector<std::string> symbols;
        symbols.reserve(end - begin);
        for (std::size_t i = begin; i < end; ++i)
            symbols.push_back(map.symbol[static_cast<unsigned char>(text[i])]);
        std::size_t at = offset + begin;
        for (const std::string& piece : mergeWord(std::move(symbols))) {
            // Count the bytes the piece stands for: each symbol is one byte of the text.
            std::size_t bytes = 0;
            for (std::size_t k = 0; k < piece.size();) {
                const auto lead = static_cast<unsigned char>(piece[k]);
                k += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
                ++bytes;
            }
            const auto it = m_vocab.find(piece);
            if (it != m_vocab.end()) {
                out.ids.push_back(it->second);
                out.tokens.push_back({displayText(piece), at, at + bytes});
            } else {
                // A merge whose result the vocabulary lacks: fall back to the single bytes,
                // which the constructor made sure are all there.
                for (std::size_t b = 0; b < bytes; ++b) {
                    const std::string& symbol = map.symbol[static_cast<unsigned char>(text[at - offset + b])];
                    out.ids.push_back(m_vocab.at(symbol));
                    out.tokens.push_back({displayText(symbol), at + b, at + b + 1});
                }
            }
            at += bytes;
        }
    }
}

Encoding BpeTokenizer::encode(std::string_view text) const
{
    Encoding out;
    // A special token typed literally (e.g. <|endoftext|>) is one token.
    encodeAroundSpecialTokens(text, m_specialTokens, m_vocab, out,
                              [this](std::string_view chunk, std::size_t offset, Encoding& encoded) {
                                  encodeChunk(chunk, offset, encoded);
                              });
    return out;
}

std::string BpeTokenizer::displayText(const std::string& bpeToken)
{
    const ByteMap& map = byteMap();
    std::string bytes;
    for (const unicode::Char& c : unicode::decode(bpeToken)) {
        const auto it = map.byte.find(bpeToken.substr(c.begin, c.end - c.begin));
        if (it == map.byte.end())
            return bpeToken; // not byte-level spelling (a special token): show it as written
        bytes += char(it->second);
    }
    std::string shown;
    for (const unicode::Char& c : unicode::decode(bytes)) {
        if (c.valid) {
            shown.append(bytes, c.begin, c.end - c.begin);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "<0x%02X>", static_cast<unsigned char>(bytes[c.begin]));
            shown += hex;
        }
    }
    return shown;
}

std::string BpeTokenizer::tokenText(int id) const
{
    if (id < 0 || std::size_t(id) >= m_idToToken.size() || m_idToToken[std::size_t(id)].empty())
        return "<id=" + std::to_string(id) + ">"; // no space: a view would draw it as a token's ␣
    return displayText(m_idToToken[std::size_t(id)]);
}

} // namespace attn
