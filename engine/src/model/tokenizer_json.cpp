#include "tokenizer_json.h"

#include "attn/error.h"

namespace attn {

const nlohmann::json& tokenizerModel(const nlohmann::json& tokenizerJson, const std::string& path,
                                     const std::string& type, const std::string& modelName)
{
    const auto model = tokenizerJson.find("model");
    if (model == tokenizerJson.end() || !model->is_object() || model->value("type", std::string()) != type)
        throw Error(path + ": holds no \"" + type + "\" tokenizer model, which a " + modelName + " model needs.");
    return *model;
}

int tokenId(const nlohmann::json& id, const std::string& token, const std::string& path)
{
    if (!id.is_number_integer() || (!id.is_number_unsigned() && id.get<long long>() < 0))
        throw Error(path + ": the id of token \"" + token + "\" is " + id.dump() + ", not a whole number from 0.");
    if (id.is_number_unsigned() ? id.get<unsigned long long>() > largestTokenId : id.get<long long>() > largestTokenId)
        throw Error(path + ": the id of token \"" + token + "\" is " + id.dump() + ", past the largest a vocabulary may use ("
                    + std::to_string(largestTokenId) + "); the file is damaged or not a tokenizer's.");
    return int(id.get<long long>());
}

} // namespace attn
