// The four projections of one multi-head attention layer, in PyTorch's nn.Linear layout
// ([out_features x in_features], y = x Wᵀ + b).
#pragma once

#include "attn/config.h"
#include "attn/tensor.h"

namespace attn {

// Which of a layer's four maps (Q, K, V, O) add a bias.
struct BiasPresence {
    bool q = false, k = false, v = false, o = false;
};

struct LayerWeights {
    int heads = 0;
    int d_model = 0;
    int d_k = 0;
    int d_v = 0;
    Tensor w_q; // [heads*d_k x d_model]
    Tensor w_k; // [heads*d_k x d_model]
    Tensor w_v; // [heads*d_v x d_model]
    Tensor w_o; // [d_model x heads*d_v]
    Tensor b_q, b_k, b_v, b_o; // [out_features] each, or empty when the layer has none

    // Xavier/Glorot uniform weights drawn from config.seed; biases are zero when
    // config.bias is set and absent otherwise.
    static LayerWeights seeded(const Config& config);

    // Throws attn::Error when the shapes disagree with each other or with the sizes.
    void checkShapes() const;
    // `config` with this layer's sizes (heads, d_model, d_k, d_v) and biases, which loaded
    // weights decide; the rest stays as given.
    Config applyTo(Config config) const;
    BiasPresence biases() const { return {!b_q.empty(), !b_k.empty(), !b_v.empty(), !b_o.empty()}; }
};

} // namespace attn
