// Everything one forward pass computed, kept so that every view can show any step.
// Produced by the engine, then shared read-only (std::shared_ptr<const Trace>).
#pragma once

#include "attn/config.h"
#include "attn/tensor.h"
#include "attn/tokenizer.h"
#include "attn/weights.h"

#include <string>
#include <vector>

namespace attn {

struct Trace {
    Config config;                   // as run: sizes follow loaded weights when given
    std::vector<Token> tokens;       // the queries' tokens, n_q of them
    std::vector<Token> sourceTokens; // the keys' tokens for cross-attention; empty for self-attention

    std::string inputName; // what X is, in a few words: "tokens + positions", "given inputs", "ln_1(layer input)"
    BiasPresence biases; // which of the layer's four maps add a bias (a seeded layer's are zero)
    Tensor x;        // [n_q x d_model] input of the queries
    Tensor xSource;  // [n_k x d_model] input of keys and values; empty unless cross
    Tensor q;        // [h x n_q x d_k]
    Tensor k;        // [h x n_k x d_k]
    Tensor v;        // [h x n_k x d_v]
    Tensor scores;   // [h x n_q x n_k] raw QKᵀ, before scale, temperature and mask
    Tensor weights;  // [h x n_q x n_k] after scale, temperature, mask and softmax
    Tensor heads;    // [h x n_q x d_v] weights · V per head
    Tensor output;   // [n_q x d_model] concatenated heads · W_Oᵀ (+ b_O)

    std::string backend;        // the backend that actually ran
    std::string fallbackReason; // why the requested backend did not run; empty if it did
    double wallMs = 0.0;        // the backend's forward pass, wall clock
    double gpuMs = -1.0;        // device time where the backend measures it; -1 otherwise

    bool cross = false;         // keys and values come from a second text (xSource)
    // What shaped the numbers beyond the config's sizes: whether the seed made the weights
    // or some inputs (not when weights and inputs were both given, nor in a model's layer),
    // and whether some input was embedded from a text's tokens (with positions unless
    // config.positional says none).
    bool seedUsed = false;
    bool textEmbedded = false;

    bool isCross() const { return cross; }
    const std::vector<Token>& keyTokens() const { return cross ? sourceTokens : tokens; }
    std::size_t queryCount() const { return x.rank() == 2 ? x.dim(0) : 0; }
    std::size_t keyCount() const { return cross ? (xSource.rank() == 2 ? xSource.dim(0) : 0) : queryCount(); }
};

} // namespace attn
