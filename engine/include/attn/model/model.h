// A trained transformer opened from a Hugging Face model folder: config.json,
// model.safetensors (or sharded model-0000x-of-0000y.safetensors with its index) and the
// tokenizer files. Nothing is ever fetched from the network.
#pragma once

#include "attn/model/model_tokenizer.h"
#include "attn/tensor.h"
#include "attn/weights.h"

#include <memory>
#include <string>
#include <vector>

namespace attn {

enum class Architecture { Gpt2, Bert, DistilBert };
enum class Activation { GeluTanh, GeluErf, Relu };

std::string toString(Architecture architecture); // "gpt2" | "bert" | "distilbert"
// "gpt2 (GPT-2, DistilGPT-2, GPT-2 medium/large), bert (BERT base/large, cased or uncased), distilbert"
std::string supportedArchitecturesText();

struct ModelConfig {
    Architecture architecture = Architecture::Gpt2;
    std::string modelType; // config.json's model_type, as written
    int layers = 0;
    int heads = 0;
    int d_model = 0;
    int d_ff = 0;
    int maxPositions = 0;
    int vocabSize = 0;
    int typeVocabSize = 0;     // BERT's token types; 0 for GPT-2 and DistilBERT
    float layerNormEps = 1e-5f;
    Activation activation = Activation::GeluTanh;
    bool scaleScores = true;   // GPT-2's scale_attn_weights: divide QKᵀ by √d_k

    int d_k() const { return heads > 0 ? d_model / heads : 0; }
    bool causal() const { return architecture == Architecture::Gpt2; }
    bool preNorm() const { return architecture == Architecture::Gpt2; }
    bool hasLanguageModelHead() const { return architecture == Architecture::Gpt2; }
};

// Reads and checks config.json. Throws attn::Error naming the file and the problem;
// for an architecture the engine does not run, the message names it and the supported ones.
ModelConfig readModelConfig(const std::string& configJsonPath);

// One transformer block, every matrix in nn.Linear layout ([out x in], y = x Wᵀ + b).
struct TransformerBlock {
    LayerWeights attention;        // q, k, v, o with biases; GPT-2's c_attn split and transposed
    Tensor norm1Weight, norm1Bias; // GPT-2: ln_1, before attention. BERT: attention.output.LayerNorm, after it
    Tensor norm2Weight, norm2Bias; // GPT-2: ln_2, before the MLP. BERT: output.LayerNorm, after it
    Tensor ffnInWeight, ffnInBias;   // [d_ff x d_model]
    Tensor ffnOutWeight, ffnOutBias; // [d_model x d_ff]
};

struct ModelWeights {
    Tensor tokenEmbedding;     // [vocab x d_model]; GPT-2's language-model head too (tied)
    Tensor positionEmbedding;  // [maxPositions x d_model]
    Tensor tokenTypeEmbedding; // BERT: [typeVocab x d_model]; row 0 is added (one segment). Else empty
    Tensor embeddingNormWeight, embeddingNormBias; // BERT, DistilBERT
    Tensor finalNormWeight, finalNormBias;         // GPT-2's ln_f
    std::vector<TransformerBlock> blocks;

    // Throws attn::Error when a shape disagrees with the config.
    void checkShapes(const ModelConfig& config) const;
};

class Model {
public:
    // Opens a model folder. Throws attn::Error with the file and the problem: missing folder
    // or file, unsupported architecture, config disagreeing with a tensor's shape, missing
    // tensor, truncated or malformed weights, tokenizer ids outside the embedding.
    static std::shared_ptr<const Model> load(const std::string& folder);

    // A model built in memory (benchmarks, tests). Checks the shapes.
    Model(ModelConfig config, ModelWeights weights, std::shared_ptr<const ModelTokenizer> tokenizer,
          std::string name);

    const ModelConfig& config() const { return m_config; }
    const ModelWeights& weights() const { return m_weights; }
    const ModelTokenizer& tokenizer() const { return *m_tokenizer; }
    const std::string& name() const { return m_name; }  // the folder's name, e.g. "gpt2"
    // "gpt2: GPT-2, 12 layers x 12 heads, d_model 768, 124M parameters"
    std::string description() const;
    std::size_t parameterCount() const;

private:
    ModelConfig m_config;
    ModelWeights m_weights;
    std::shared_ptr<const ModelTokenizer> m_tokenizer;
    std::string m_name;
};

} // namespace attn
