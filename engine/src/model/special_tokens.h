// Encoding typed text in which special tokens (<|endoftext|>, [SEP], ...) written literally
// count as one token each, the way both model tokenizers treat them.
#pragma once

#include "attn/model/model_tokenizer.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attn {

// Encodes the stretches of text between special tokens with encodeChunk(stretch, byte offset
// of the stretch in text, out), and each special token found (earliest first; on a tie the
// one listed first) as its vocabulary id. Every special token must be in vocab.
void encodeAroundSpecialTokens(
    std::string_view text, const std::vector<std::string>& specialTokens,
    const std::unordered_map<std::string, int>& vocab, Encoding& out,
    const std::function<void(std::string_view chunk, std::size_t offset, Encoding& out)>& encodeChunk);

} // namespace attn
