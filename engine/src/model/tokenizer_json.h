// Reading the parts of a tokenizers-library tokenizer.json that both model tokenizers share.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace attn {

// The "model" object of tokenizer.json, which must have the given "type" ("BPE", "WordPiece").
// Throws attn::Error "<path>: holds no "<type>" tokenizer model, which a <modelName> model needs."
const nlohmann::json& tokenizerModel(const nlohmann::json& tokenizerJson, const std::string& path,
                                     const std::string& type, const std::string& modelName);

} // namespace attn
