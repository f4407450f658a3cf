// Attention rollout, Abnar & Zuidema (2020), "Quantifying Attention Flow in Transformers".
#include "attn/model/model_trace.h"

#include "attn/error.h"

#include <cblas.h>

#include <algorithm>

namespace attn {

Tensor attentionRollout(const std::vector<const Tensor*>& layerWeights)
{
    if (layerWeights.empty())
        return Tensor({0, 0, 0});
    const Tensor& first = *layerWeights.front();
    if (first.rank() != 3 || first.dim(1) != first.dim(2))
        throw Error("attention rollout needs weights of shape [h x n x n], not " + first.shapeText() + ".");
    const std::size_t n = first.dim(1), layers = layerWeights.size();
    Tensor result({layers, n, n});
    Tensor mixed({n, n});
    for (std::size_t l = 0; l < layers; ++l) {
        const Tensor& w = *layerWeights[l];
        if (w.rank() != 3 || w.dim(1) != n || w.dim(2) != n)
            throw Error("attention rollout: layer " + std::to_string(l) + " has weights " + w.shapeText()
                        + " but layer 0 has " + first.shapeText() + ".");
        // Heads averaged, plus the identity for the residual connection, rows renormalised.
        // Summed head by head, so that every pass reads and writes contiguous rows.
        const std::size_t heads = w.dim(0);
        std::fill(mixed.data.begin(), mixed.data.end(), 0.0f);
        for (std::size_t h = 0; h < heads; ++h)
            for (std::size_t ij = 0; ij < n * n; ++ij)
                mixed.data[ij] += w.data[h * n * n + ij];
        const float inverseHeads = heads > 0 ? 1.0f / float(heads) : 0.0f;
        for (std::size_t i = 0; i < n; ++i) {
            float* row = &mixed.at(i, 0);
            double rowSum = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                row[j] = row[j] * inverseHeads + (i == j ? 1.0f : 0.0f);
                rowSum += row[j];
            }
            const float inverse = float(1.0 / rowSum);
            for (std::size_t j = 0; j < n; ++j)
                row[j] *= inverse;
        }
        float* out = result.ptr() + l * n * n;
        if (l == 0) {
            std::copy(mixed.data.begin(), mixed.data.end(), out);
        } else { // rollout_l = Â_l · rollout_{l-1}
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(n), int(n), int(n), 1.0f, mixed.ptr(), int(n),
                        out - n * n, int(n), 0.0f, out, int(n));
        }
    }
    return result;
}

Tensor attentionRollout(const ModelTrace& trace)
{
    std::vector<const Tensor*> weights;
    for (const Trace& layer : trace.layers)
        weights.push_back(&layer.weights);
    return attentionRollout(weights);
}

} // namespace attn
