// Reading the parts of a tokenizers-library tokenizer.json that both model tokenizers share.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace attn {

// The "model" object of tokenizer.json, which must have the given "type" ("BPE", "WordPiece").
// Throws attn::Error "<path>: holds no "<type>" tokenizer model, which a <modelName> model needs."
const nlohmann::json& tokenizerModel(const nlohmann::json& tokenizerJson, const std::string& path,
                                     const std::string& type, const std::string& modelName);

// The largest token id a vocabulary may use: far above any model's (GPT-2: 50,256), low
// enough that a table of every id stays small (a lying file could ask for billions).
constexpr long long largestTokenId = 1'000'000;

// A vocabulary entry's id, checked: a whole number from 0 to largestTokenId. Throws
// attn::Error naming the file, the token and what is wrong with its id.
int tokenId(const nlohmann::json& id, const std::string& token, const std::string& path);

} // namespace attn
