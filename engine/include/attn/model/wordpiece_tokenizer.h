// BERT's WordPiece: Hugging Face's BasicTokenizer (clean text, split CJK ideographs,
// whitespace split, lower-case and strip accents per the model's settings, split
// punctuation) then greedy longest-match word pieces with the ## prefix; [CLS] ... [SEP].
#pragma once

#include "attn/model/model_tokenizer.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace attn {

struct WordPieceOptions {
    bool lowerCase = true;
    std::optional<bool> stripAccents; // unset: follows lowerCase, as in Hugging Face
    bool splitCjk = true;
    int maxCharsPerWord = 100;        // longer words become [UNK]
    std::string unknownToken = "[UNK]";
    std::string classToken = "[CLS]";
    std::string separatorToken = "[SEP]";
    std::string continuationPrefix = "##";
};

class WordPieceTokenizer final : public ModelTokenizer {
public:
    // vocab: one token per id, in id order (vocab.txt's lines). Throws attn::Error when the
    // unknown, class or separator token is missing.
    WordPieceTokenizer(std::vector<std::string> vocab, WordPieceOptions options);

    // vocab.txt, with tokenizer_config.json's do_lower_case / strip_accents when that file exists.
    static std::shared_ptr<WordPieceTokenizer> fromFiles(const std::string& vocabTxt, const std::string& tokenizerConfig);
    // tokenizer.json of the tokenizers library with a "WordPiece" model.
    static std::shared_ptr<WordPieceTokenizer> fromTokenizerJson(const std::string& path);

    Encoding encode(std::string_view text) const override;
    std::string tokenText(int id) const override;
    int vocabularySize() const override { return int(m_idToToken.size()); }

    const WordPieceOptions& options() const { return m_options; }

private:
    void encodeChunk(std::string_view text, std::size_t offset, Encoding& out) const;

    std::unordered_map<std::string, int> m_vocab;
    std::vector<std::string> m_idToToken;
    WordPieceOptions m_options;
    std::vector<std::string> m_specialTokens; // [CLS] [SEP] [MASK] [PAD] [UNK] typed literally
};

} // namespace attn
