#include "model_forward.h"

#include "attn/config.h"
#include "attn/error.h"
#include "incremental_attention.h"
#include "layer_ops.h"
#include "overflow_check.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attn {

namespace {

// The layer settings the sandbox would show for this model's attention.
Config layerConfig(const ModelConfig& c)
{
    Config config;
    config.d_model = c.d_model;
    config.heads = c.heads;
    config.d_k = c.d_k();
    config.d_v = c.d_k();
    config.causal = c.causal();
    config.scaling = c.scaleScores ? Scaling::InvSqrtDk : Scaling::None;
    config.temperature = 1.0f;
    config.positional = Positional::None;
    config.bias = true;
    return config;
}

void shapeEmpty(const ModelConfig& c, Trace& t)
{
    const auto h = std::size_t(c.heads), dk = std::size_t(c.d_k()), d = std::size_t(c.d_model);
    t.x = Tensor({0, d});
    t.q = Tensor({h, 0, dk});
    t.k = Tensor({h, 0, dk});
    t.v = Tensor({h, 0, dk});
    t.scores = Tensor({h, 0, 0});
    t.weights = Tensor({h, 0, 0});
    t.heads = Tensor({h, 0, dk});
    t.output = Tensor({0, d});
    t.backend = "none";
}

// Token + position (+ token type 0) embeddings of rows [from, n), into x.
void embedRows(const Model& model, const std::vector<int>& ids, std::size_t from, Tensor& x)
{
    const ModelWeights& w = model.weights();
    const auto d = std::size_t(model.config().d_model);
    x.reshape({ids.size() - from, d});
    for (std::size_t i = from; i < ids.size(); ++i) {
        float* row = &x.at(i - from, 0);
        const float* token = w.tokenEmbedding.ptr() + std::size_t(ids[i]) * d;
        const float* position = w.positionEmbedding.ptr() + i * d;
        for (std::size_t j = 0; j < d; ++j)
            row[j] = token[j] + position[j];
        if (!w.tokenTypeEmbedding.empty()) // one segment: type 0 everywhere
            for (std::size_t j = 0; j < d; ++j)
                row[j] += w.tokenTypeEmbedding.data[j];
    }
    if (!model.config().preNorm())
        ops::layerNorm(x.ptr(), x.dim(0), d, w.embeddingNormWeight, w.embeddingNormBias, model.config().layerNormEps,
                       x.ptr());
}

void storeHidden(Tensor& hidden, std::size_t layer, std::size_t from, const Tensor& rows)
{
    const std::size_t n = hidden.dim(1), d = hidden.dim(2);
    std::copy(rows.data.begin(), rows.data.end(), hidden.data.begin() + std::ptrdiff_t((layer * n + from) * d));
}

// The feed-forward half of a block on m rows: GPT-2 x += W2 act(W1 ln_2(x)); BERT
// x = LN(x + W2 act(W1 x)).
void feedForward(const ModelConfig& c, const TransformerBlock& b, Tensor& x, ForwardWorkspace& ws)
{
    const std::size_t m = x.dim(0), d = x.dim(1), ff = std::size_t(c.d_ff);
    Tensor& inner = ws.inner;
    inner.reshape({m, ff});
    if (c.preNorm()) {
        Tensor& normed = ws.normed;
        normed.reshape({m, d});
        ops::layerNorm(x.ptr(), m, d, b.norm2Weight, b.norm2Bias, c.layerNormEps, normed.ptr());
        ops::linear(normed.ptr(), m, b.ffnInWeight, b.ffnInBias, inner.ptr());
        ops::activate(inner.ptr(), inner.size(), c.activation);
        ops::linearAdd(inner.ptr(), m, b.ffnOutWeight, b.ffnOutBias, x.ptr());
    } else {
        ops::linear(x.ptr(), m, b.ffnInWeight, b.ffnInBias, inner.ptr());
        ops::activate(inner.ptr(), inner.size(), c.activation);
        ops::linearAdd(inner.ptr(), m, b.ffnOutWeight, b.ffnOutBias, x.ptr());
        ops::layerNorm(x.ptr(), m, d, b.norm2Weight, b.norm2Bias, c.layerNormEps, x.ptr());
    }
}

std::vector<TokenPrediction> predictNext(const Model& model, const float* last, int topK)
{
    const ModelWeights& w = model.weights();
    const std::size_t vocab = w.tokenEmbedding.dim(0);
    std::vector<float> logits(vocab);
    ops::linear(last, 1, w.tokenEmbedding, Tensor(), logits.data()); // the tied head: logits = wte · h
    refuseOverflow(logits.data(), logits.size(), model.name() + "'s next-token logits",
                   "its weights are too large for float32.");
    const float largest = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (float v : logits)
        sum += std::exp(double(v - largest));
    std::vector<int> order(vocab);
    std::iota(order.begin(), order.end(), 0);
    const std::size_t k = std::min<std::size_t>(std::size_t(std::max(topK, 0)), vocab);
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(k), order.end(),
                      [&](int a, int b) { return logits[std::size_t(a)] > logits[std::size_t(b)]; });
    std::vector<TokenPrediction> top;
    for (std::size_t i = 0; i < k; ++i) {
        const int id = order[i];
        top.push_back({id, model.tokenizer().tokenText(id), std::exp(double(logits[std::size_t(id)] - largest)) / sum});
    }
    return top;
}

} // namespace

std::uint64_t modelTraceBytes(const ModelConfig& c, std::uint64_t n, bool keepScores)
{
    const std::uint64_t h = std::uint64_t(c.heads), d = std::uint64_t(c.d_model), L = std::uint64_t(c.layers);
    const std::uint64_t perLayer = h * n * n * (keepScores ? 2 : 1) + 4 * n * d /* q k v heads */ + 2 * n * d;
    return (L * perLayer + (L + 1) * n * d) * sizeof(float);
}

void forwardModel(const ForwardRequest& r, ModelTrace& out)
{
    const Model& model = r.model;
    const ModelConfig& c = model.config();
    const ModelWeights& w = model.weights();
    const std::size_t n = r.encoding.ids.size(), d = std::size_t(c.d_model), from = std::min(r.from, n);
    const std::size_t inPlace = std::min(r.inPlace, from);
    const float scale = c.scaleScores ? 1.0f / std::sqrt(float(c.d_k())) : 1.0f;

    out.modelName = model.name();
    out.config = c;
    out.tokenIds = r.encoding.ids;
    out.tokens = r.encoding.tokens;
    out.firstComputedRow = from;
    out.rowsInPlace = inPlace;
    out.nextToken.clear();
    out.layers.resize(std::size_t(c.layers)); // an earlier trace's layers keep their storage
    out.hidden.reshape({std::size_t(c.layers) + 1, n, d});
    for (Trace& t : out.layers) {
        t.config = layerConfig(c);
        t.inputName = c.preNorm() ? "ln_1(layer input)" : "layer input";
        t.tokens = r.encoding.tokens;
        t.backend.clear();
        t.fallbackReason.clear();
        t.wallMs = 0.0;
        t.gpuMs = -1.0;
    }
    if (n == 0) {
        for (Trace& t : out.layers)
            shapeEmpty(c, t);
        return;
    }

    // Rows the previous trace already holds: identical, because the model is causal.
    if (from > 0) {
        const std::size_t oldN = r.previous->tokenIds.size();
        for (std::size_t l = 0; l <= std::size_t(c.layers); ++l)
            for (std::size_t i = inPlace; i < from; ++i)
                std::copy_n(&r.previous->hidden.data[(l * oldN + i) * d], d, &out.hidden.data[(l * n + i) * d]);
    }

    ForwardWorkspace& ws = r.workspace;
    Tensor& x = ws.residual; // the residual stream of rows [from, n)
    embedRows(model, r.encoding.ids, from, x);
    storeHidden(out.hidden, 0, from, x);
    const std::size_t m = n - from;
    for (std::size_t l = 0; l < std::size_t(c.layers); ++l) {
        const TransformerBlock& b = w.blocks[l];
        Trace& t = out.layers[l];
        t.biases = b.attention.biases();
        // t.x: what this layer's attention sees; rows [0, from) are the previous trace's.
        t.x.reshape({n, d});
        if (from > inPlace)
            std::copy_n(r.previous->layers[l].x.ptr() + inPlace * d, (from - inPlace) * d, t.x.ptr() + inPlace * d);
        float* attended = t.x.ptr() + from * d;
        if (c.preNorm())
            ops::layerNorm(x.ptr(), m, d, b.norm1Weight, b.norm1Bias, c.layerNormEps, attended);
        else
            std::copy(x.data.begin(), x.data.end(), attended);
        // Scores the trace drops are written into one buffer that every layer reuses.
        const bool keep = r.options.keepScores;
        if (from == 0) {
            if (!keep)
                t.scores = std::move(ws.scores);
            r.attend(AttentionProblem{t.x, t.x, b.attention, c.causal(), scale}, t);
            if (!keep) {
                ws.scores = std::move(t.scores);
                t.scores = Tensor();
            }
        } else {
            attendIncremental(r.previous->layers[l], b.attention, from, inPlace, scale, keep, ws.scores, t);
        }
        const float* attentionOut = t.output.ptr() + from * d;
        if (c.preNorm()) {
            for (std::size_t i = 0; i < m * d; ++i)
                x.data[i] += attentionOut[i];
        } else {
            for (std::size_t i = 0; i < m * d; ++i)
                x.data[i] += attentionOut[i];
            ops::layerNorm(x.ptr(), m, d, b.norm1Weight, b.norm1Bias, c.layerNormEps, x.ptr());
        }
        feedForward(c, b, x, ws);
        if (c.preNorm() && l + 1 == std::size_t(c.layers))
            ops::layerNorm(x.ptr(), m, d, w.finalNormWeight, w.finalNormBias, c.layerNormEps, x.ptr());
        storeHidden(out.hidden, l + 1, from, x);
    }
    // An overflow anywhere reaches the last hidden state through the residual stream; only
    // its rows from `from` on are new.
    refuseOverflow(x.ptr(), m * d, model.name() + "'s forward pass", "its weights are too large for float32.");

    if (c.hasLanguageModelHead() && r.options.topK > 0)
        out.nextToken = predictNext(model, &out.hidden.data[((std::size_t(c.layers) * n) + n - 1) * d], r.options.topK);
}

} // namespace attn
