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

} // namespace attn
