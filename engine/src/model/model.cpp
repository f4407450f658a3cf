#include "attn/model/model.h"

#include "attn/error.h"
#include "message_text.h"

#include <cmath>
#include <cstdio>

namespace attn {

namespace {

void expectShape(const Tensor& t, std::vector<std::size_t> shape, const std::string& what)
{
    if (t.shape != shape) {
        Tensor wanted(shape);
        throw Error(what + " has shape " + t.shapeText() + " but the model's sizes need " + wanted.shapeText() + ".");
    }
}

} // namespace

void ModelWeights::checkShapes(const ModelConfig& c) const
{
    const auto d = std::size_t(c.d_model), ff = std::size_t(c.d_ff);
    expectShape(tokenEmbedding, {std::size_t(c.vocabSize), d}, "the token embedding");
    expectShape(positionEmbedding, {std::size_t(c.maxPositions), d}, "the position embedding");
    if (c.architecture == Architecture::Bert)
        expectShape(tokenTypeEmbedding, {std::size_t(c.typeVocabSize), d}, "the token type embedding");
    if (c.preNorm()) {
        expectShape(finalNormWeight, {d}, "the final layer norm");
        expectShape(finalNormBias, {d}, "the final layer norm's bias");
    } else {
        expectShape(embeddingNormWeight, {d}, "the embedding layer norm");
        expectShape(embeddingNormBias, {d}, "the embedding layer norm's bias");
    }
    if (blocks.size() != std::size_t(c.layers))
        throw Error("the model has " + std::to_string(blocks.size()) + " blocks but its config says "
                    + std::to_string(c.layers) + ".");
    for (std::size_t l = 0; l < blocks.size(); ++l) {
        const TransformerBlock& b = blocks[l];
        const std::string layer = "layer " + std::to_string(l) + "'s ";
        if (b.attention.heads != c.heads || b.attention.d_model != c.d_model || b.attention.d_k != c.d_k()
            || b.attention.d_v != c.d_k())
            throw Error(layer + "attention sizes disagree with the config.");
        b.attention.checkShapes();
        expectShape(b.norm1Weight, {d}, layer + "first layer norm");
        expectShape(b.norm1Bias, {d}, layer + "first layer norm's bias");
        expectShape(b.norm2Weight, {d}, layer + "second layer norm");
        expectShape(b.norm2Bias, {d}, layer + "second layer norm's bias");
        expectShape(b.ffnInWeight, {ff, d}, layer + "first feed-forward matrix");
        expectShape(b.ffnInBias, {ff}, layer + "first feed-forward bias");
        expectShape(b.ffnOutWeight, {d, ff}, layer + "second feed-forward matrix");
        expectShape(b.ffnOutBias, {d}, layer + "second feed-forward bias");
    }
}

Model::Model(ModelConfig config, ModelWeights weights, std::shared_ptr<const ModelTokenizer> tokenizer, std::string name)
    : m_config(std::move(config)), m_weights(std::move(weights)), m_tokenizer(std::move(tokenizer)), m_name(std::move(name))
{
    if (!m_tokenizer)
        throw Error("a model needs a tokenizer.");
    m_weights.checkShapes(m_config);
    if (m_tokenizer->vocabularySize() > m_config.vocabSize)
        throw Error("the tokenizer has ids up to " + std::to_string(m_tokenizer->vocabularySize() - 1)
                    + " but the model's embedding has only " + std::to_string(m_config.vocabSize)
                    + " rows; the tokenizer files belong to another model.");
}

std::size_t Model::parameterCount() const
{
    const ModelWeights& w = m_weights;
    std::size_t count = w.tokenEmbedding.size() + w.positionEmbedding.size() + w.tokenTypeEmbedding.size()
                        + w.embeddingNormWeight.size() + w.embeddingNormBias.size() + w.finalNormWeight.size()
                        + w.finalNormBias.size();
    for (const TransformerBlock& b : w.blocks) {
        const LayerWeights& a = b.attention;
        count += a.w_q.size() + a.w_k.size() + a.w_v.size() + a.w_o.size() + a.b_q.size() + a.b_k.size()
                 + a.b_v.size() + a.b_o.size() + b.norm1Weight.size() + b.norm1Bias.size() + b.norm2Weight.size()
                 + b.norm2Bias.size() + b.ffnInWeight.size() + b.ffnInBias.size() + b.ffnOutWeight.size()
                 + b.ffnOutBias.size();
    }
    return count;
}

std::string Model::description() const
{
    const char* family = m_config.architecture == Architecture::Gpt2   ? "GPT-2"
                         : m_config.architecture == Architecture::Bert ? "BERT"
                                                                       : "DistilBERT";
    // 124.4M for GPT-2 small; a test model's 42k would read 0.0M.
    const double thousands = std::ceil(double(parameterCount()) / 1e3);
    char count[32];
    if (thousands >= 1000)
        std::snprintf(count, sizeof count, "%.1fM", double(parameterCount()) / 1e6);
    else
        std::snprintf(count, sizeof count, "%.0fk", thousands);
    return m_name + ": " + family + ", " + countText(std::uint64_t(m_config.layers), "layer") + " x "
           + countText(std::uint64_t(m_config.heads), "head") + ", d_model " + std::to_string(m_config.d_model) + ", "
           + count + " parameters";
}

} // namespace attn
