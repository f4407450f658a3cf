// config.json as Hugging Face writes it for GPT-2, BERT and DistilBERT.
#include "attn/model/model.h"

#include "attn/config.h"
#include "attn/error.h"
#include "text_files.h"

namespace attn {

namespace {

using nlohmann::json;

class ConfigReader {
public:
    ConfigReader(const json& config, std::string path, std::string modelType)
        : m_config(config), m_path(std::move(path)), m_type(std::move(modelType)) {}

    int required(const char* key) const
    {
        const auto it = m_config.find(key);
        if (it == m_config.end() || it->is_null())
            throw Error(m_path + ": has no \"" + key + "\", which a " + m_type + " config needs.");
        return positive(key, *it);
    }

    int optional(const char* key, int fallback) const
    {
        const auto it = m_config.find(key);
        return (it == m_config.end() || it->is_null()) ? fallback : positive(key, *it);
    }

    double number(const char* key, double fallback) const
    {
        const auto it = m_config.find(key);
        if (it == m_config.end() || it->is_null())
            return fallback;
        if (!it->is_number() || it->get<double>() <= 0.0)
            throw Error(m_path + ": \"" + key + "\" is " + it->dump() + "; it must be a positive number.");
        return it->get<double>();
    }

    std::string text(const char* key, const std::string& fallback) const
    {
        const auto it = m_config.find(key);
        if (it == m_config.end() || it->is_null())
            return fallback;
        if (!it->is_string())
            throw Error(m_path + ": \"" + key + "\" is " + it->dump() + "; it must be a string.");
        return it->get<std::string>();
    }

    bool flag(const char* key, bool fallback) const
    {
        const auto it = m_config.find(key);
        return (it == m_config.end() || !it->is_boolean()) ? fallback : it->get<bool>();
    }

    const std::string& path() const { return m_path; }

private:
    // Far above any model's sizes, and within an int: a larger one is a damaged file.
    static constexpr long long largestSize = 10'000'000;

    int positive(const char* key, const json& value) const
    {
        if (!value.is_number_integer() || value.get<long long>() <= 0 || value.get<long long>() > largestSize)
            throw Error(m_path + ": \"" + key + "\" is " + value.dump() + "; it must be a whole number from 1 to "
                        + std::to_string(largestSize) + ".");
        return value.get<int>();
    }

    const json& m_config;
    std::string m_path;
    std::string m_type;
};

// The keys under which config.json gives an encoder's sizes; BERT and DistilBERT differ only in these.
struct EncoderSizeKeys {
    const char* width;
    const char* heads;
    const char* layers;
    const char* ffn;
};

// Reads in a fixed order, so a config missing several keys always names the same one first.
void readEncoderSizes(const ConfigReader& r, const EncoderSizeKeys& keys, ModelConfig& c)
{
    c.d_model = r.required(keys.width);
    c.heads = r.required(keys.heads);
    c.layers = r.required(keys.layers);
    c.d_ff = r.required(keys.ffn);
    c.maxPositions = r.required("max_position_embeddings");
    c.vocabSize = r.required("vocab_size");
}

Activation activationFrom(const std::string& name, const std::string& path)
{
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
        return Activation::GeluTanh;
    if (name == "gelu")
        return Activation::GeluErf;
    if (name == "relu")
        return Activation::Relu;
    throw Error(path + ": the activation \"" + name + "\" is not supported; the engine runs gelu, gelu_new and relu.");
}

// model_type, or else the first of "architectures" (GPT2LMHeadModel, BertForMaskedLM...).
std::string detectType(const json& config)
{
    if (config.contains("model_type") && config["model_type"].is_string())
        return config["model_type"].get<std::string>();
    if (config.contains("architectures") && config["architectures"].is_array() && !config["architectures"].empty()
        && config["architectures"][0].is_string()) {
        const std::string name = config["architectures"][0].get<std::string>();
        if (name.rfind("GPT2", 0) == 0)
            return "gpt2";
        if (name.rfind("DistilBert", 0) == 0)
            return "distilbert";
        if (name.rfind("Bert", 0) == 0)
            return "bert";
        return name;
    }
    return {};
}

} // namespace

std::string toString(Architecture architecture)
{
    switch (architecture) {
    case Architecture::Gpt2: return "gpt2";
    case Architecture::Bert: return "bert";
    case Architecture::DistilBert: return "distilbert";
    }
    return "gpt2";
}

std::string supportedArchitecturesText()
{
    return "gpt2 (GPT-2, DistilGPT-2, GPT-2 medium/large), bert (BERT base/large, cased or uncased) and "
           "distilbert (DistilBERT)";
}

ModelConfig readModelConfig(const std::string& path)
{
    const json config = readJsonFile(path);
    if (!config.is_object())
        throw Error(path + ": is not a JSON object of settings.");
    const std::string type = detectType(config);
    ModelConfig c;
    c.modelType = type;
    const ConfigReader r(config, path, type);
    if (type == "gpt2") {
        c.architecture = Architecture::Gpt2;
        c.d_model = r.required("n_embd");
        c.heads = r.required("n_head");
        c.layers = r.required("n_layer");
        c.maxPositions = r.optional("n_positions", r.optional("n_ctx", 0));
        if (c.maxPositions == 0)
            throw Error(path + ": has neither \"n_positions\" nor \"n_ctx\", which a gpt2 config needs.");
        c.vocabSize = r.required("vocab_size");
        c.d_ff = r.optional("n_inner", 4 * c.d_model);
        c.layerNormEps = float(r.number("layer_norm_epsilon", 1e-5));
        c.activation = activationFrom(r.text("activation_function", "gelu_new"), path);
        c.scaleScores = r.flag("scale_attn_weights", true);
        if (r.flag("scale_attn_by_inverse_layer_idx", false) || r.flag("reorder_and_upcast_attn", false))
            throw Error(path + ": uses scale_attn_by_inverse_layer_idx or reorder_and_upcast_attn, "
                               "which the engine does not implement.");
    } else if (type == "bert") {
        c.architecture = Architecture::Bert;
        readEncoderSizes(r, {"hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size"}, c);
        c.typeVocabSize = r.optional("type_vocab_size", 2);
        c.layerNormEps = float(r.number("layer_norm_eps", 1e-12));
        c.activation = activationFrom(r.text("hidden_act", "gelu"), path);
        const std::string positions = r.text("position_embedding_type", "absolute");
        if (positions != "absolute")
            throw Error(path + ": position_embedding_type \"" + positions
                        + "\" is not supported; the engine runs absolute position embeddings.");
    } else if (type == "distilbert") {
        c.architecture = Architecture::DistilBert;
        readEncoderSizes(r, {"dim", "n_heads", "n_layers", "hidden_dim"}, c);
        c.layerNormEps = 1e-12f;
        c.activation = activationFrom(r.text("activation", "gelu"), path);
    } else {
        std::string found = type.empty() ? std::string("no model_type or architectures") : "model_type \"" + type + "\"";
        throw Error(path + ": describes a model the engine cannot run (" + found + "). Supported are "
                    + supportedArchitecturesText() + ".");
    }
    if (c.d_model % c.heads != 0)
        throw Error(path + ": the model width " + std::to_string(c.d_model) + " is not a multiple of the "
                    + std::to_string(c.heads) + " heads.");
    if (c.heads > Limits::maxHeads || c.d_model > Limits::maxModelDim || c.d_k() > Limits::maxKeyDim)
        throw Error(path + ": " + std::to_string(c.heads) + " heads of width " + std::to_string(c.d_k())
                    + " in a model of width " + std::to_string(c.d_model) + " exceed the engine's limits ("
                    + std::to_string(Limits::maxHeads) + " heads, width " + std::to_string(Limits::maxModelDim) + ").");
    return c;
}

} // namespace attn
