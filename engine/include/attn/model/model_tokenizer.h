// What a trained model's tokenizer gives the engine: token ids as the model reads them, and
// for each id a display text and the byte span it covers in the original text.
#pragma once

#include "attn/tokenizer.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

struct Encoding {
    std::vector<int> ids;       // what the embedding looks up
    std::vector<Token> tokens;  // one per id: display text (valid UTF-8) and byte span [begin, end)

    std::size_t size() const { return ids.size(); }
    bool operator==(const Encoding&) const = default;
};

class ModelTokenizer {
public:
    virtual ~ModelTokenizer() = default;
    // Never throws for any input bytes: invalid UTF-8 is handled (GPT-2: as raw bytes;
    // BERT: dropped, as Hugging Face's tokenizer drops U+FFFD).
    virtual Encoding encode(std::string_view text) const = 0;
    // The display text of one id (for predicted next tokens); "<id=123>" outside the vocabulary.
    virtual std::string tokenText(int id) const = 0;
    // One more than the largest id.
    virtual int vocabularySize() const = 0;
};

} // namespace attn
