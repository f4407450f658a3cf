// GPT-2's byte-level BPE: the GPT-2 pre-tokenisation pattern (hand-written, see
// gpt2_pretokenizer.h), bytes mapped to printable characters, merges applied by rank.
#pragma once

#include "attn/model/model_tokenizer.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace attn {

class BpeTokenizer final : public ModelTokenizer {
public:
    // vocab: token (in the byte-to-unicode spelling, "Ġthe") -> id. merges: in rank order.
    // Throws attn::Error when the vocabulary lacks one of the 256 byte tokens (then it is
    // not a byte-level vocabulary) or a merge names a symbol twice.
    BpeTokenizer(std::unordered_map<std::string, int> vocab, std::vector<std::pair<std::string, std::string>> merges);

    // vocab.json + merges.txt, as GPT-2 ships them. Errors name the file and line.
    static std::shared_ptr<BpeTokenizer> fromFiles(const std::string& vocabJson, const std::string& mergesTxt);
    // tokenizer.json of the tokenizers library with a "BPE" model.
    static std::shared_ptr<BpeTokenizer> fromTokenizerJson(const std::string& path);

    Encoding encode(std::string_view text) const override;
    std::string tokenText(int id) const override;
    int vocabularySize() const override { return int(m_idToToken.size()); }

    // "Ġthe" -> " the"; bytes that are not valid UTF-8 on their own show as <0xF0>.
    static std::string displayText(const std::string& bpeToken);

private:
    void encodeChunk(std::string_view text, std::size_t offset, Encoding& out) const;
    std::vector<std::string> mergeWord(std::vector<std::string> symbols) const;

    std::unordered_map<std::string, int> m_vocab;
    std::vector<std::string> m_idToToken;
    std::unordered_map<std::string, int> m_mergeRanks; // "first second" -> rank
    std::vector<std::string> m_specialTokens;          // e.g. <|endoftext|>, matched literally
};

} // namespace attn
