// Everything one forward pass of a trained model computed, shared read-only
// (std::shared_ptr<const ModelTrace>) like attn::Trace.
#pragma once

#include "attn/model/model.h"
#include "attn/tensor.h"
#include "attn/trace.h"

#include <string>
#include <vector>

namespace attn {

struct TokenPrediction {
    int id = 0;
    std::string text;      // display text, " the" for GPT-2's Ġthe
    double probability = 0.0;
};

struct ModelTrace {
    std::string modelName;
    ModelConfig config;
    std::vector<int> tokenIds;
    std::vector<Token> tokens;   // display text and byte span of each id

    // One attention trace per layer, as the sandbox shows it: x is what the layer attends
    // over (GPT-2: the hidden state after ln_1; BERT: the hidden state itself), then q, k, v,
    // scores (empty when ModelRunOptions::keepScores is off), weights [h x n x n], heads and
    // output (after W_O and its bias, before the residual).
    std::vector<Trace> layers;

    // [layers+1 x n x d_model], as Hugging Face's output_hidden_states: entry 0 is the
    // embedding output, entry l+1 the output of block l; for GPT-2 the last entry has the
    // final layer norm (ln_f) applied.
    Tensor hidden;

    // GPT-2: the most likely next tokens after the last token (softmax over the tied LM head).
    std::vector<TokenPrediction> nextToken;

    std::string backend;          // the backend that ran the attention
    std::string fallbackReason;   // why the requested backend did not; empty if it did
    double wallMs = 0.0;          // the whole forward pass
    std::size_t firstComputedRow = 0; // rows before it were reused from the previous trace (GPT-2)
    std::size_t rowsInPlace = 0;      // of those, the rows this trace's recycled storage already held

    std::size_t tokenCount() const { return tokenIds.size(); }
    std::size_t layerCount() const { return layers.size(); }
};

// Attention rollout (Abnar & Zuidema 2020): per layer, the heads' mean weights plus the
// identity, rows renormalised, multiplied through the layers. Result [layers x n x n]:
// slice l is the rollout through layers 0..l; row i tells how much each input token flows
// into position i's representation at that depth.
Tensor attentionRollout(const ModelTrace& trace);
// The same from per-layer weights, each [h x n x n].
Tensor attentionRollout(const std::vector<const Tensor*>& layerWeights);
// The same for a causal trace whose weights agree, in every row before `unchangedRows`, with
// those of an earlier trace whose rollout is `earlier` (an edit after the first
// unchangedRows tokens): row i of every slice depends only on rows 0..i of the weights, so
// those rows are copied and only the others computed. Everything is computed when
// `earlier` has too few rows or another number of layers.
Tensor attentionRollout(const ModelTrace& trace, const Tensor& earlier, std::size_t unchangedRows);

} // namespace attn
