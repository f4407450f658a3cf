// Attention rollout, Abnar & Zuidema (2020), "Quantifying Attention Flow in Transformers".
#include "attn/model/model_trace.h"

#include "attn/error.h"

#include <cblas.h>

#include <algorithm>

namespace attn {

namespace {

// Rows from `from` on of every slice; the rows before it copied from `earlier` (see the
// header). from = 0 computes everything.
Tensor rollout(const std::vector<const Tensor*>& layerWeights, const Tensor* earlier, std::size_t from)
{
    if (layerWeights.empty())
        return Tensor({0, 0, 0});
    const Tensor& first = *layerWeights.front();
    if (first.rank() != 3 || first.dim(1) != first.dim(2))
        throw Error("attention rollout needs weights of shape [h x n x n], not " + first.shapeText() + ".");
    const std::size_t n = first.dim(1), layers = layerWeights.size();
    if (!earlier || earlier->rank() != 3 || earlier->dim(0) != layers || earlier->dim(1) < from || earlier->dim(2) < from)
        from = 0;
    from = std::min(from, n);
    const std::size_t rows = n - from;
    Tensor result({layers, n, n});
    Tensor mixed({rows, n});
    for (std::size_t l = 0; l < layers; ++l) {
        const Tensor& w = *layerWeights[l];
        if (w.rank() != 3 || w.dim(1) != n || w.dim(2) != n)
            throw Error("attention rollout: layer " + std::to_string(l) + " has weights " + w.shapeText()
                        + " but layer 0 has " + first.shapeText() + ".");
        float* out = result.ptr() + l * n * n;
        // Under a causal mask the earlier rows see only earlier keys: their columns end
        // before the earlier width, and the new columns stay 0.
        if (from > 0) {
            const std::size_t earlierWidth = earlier->dim(2);
            const float* kept = earlier->ptr() + l * earlier->dim(1) * earlierWidth;
            for (std::size_t i = 0; i < from; ++i)
                std::copy(kept + i * earlierWidth, kept + i * earlierWidth + std::min(earlierWidth, n), out + i * n);
        }
        // Heads averaged, plus the identity for the residual connection, rows renormalised.
        // Summed head by head, so that every pass reads and writes contiguous rows.
        const std::size_t heads = w.dim(0);
        std::fill(mixed.data.begin(), mixed.data.end(), 0.0f);
        for (std::size_t h = 0; h < heads; ++h) {
            const float* head = w.ptr() + (h * n + from) * n;
            for (std::size_t ij = 0; ij < rows * n; ++ij)
                mixed.data[ij] += head[ij];
        }
        const float inverseHeads = heads > 0 ? 1.0f / float(heads) : 0.0f;
        for (std::size_t r = 0; r < rows; ++r) {
            float* row = &mixed.at(r, 0);
            double rowSum = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                row[j] = row[j] * inverseHeads + (from + r == j ? 1.0f : 0.0f);
                rowSum += row[j];
            }
            const float inverse = float(1.0 / rowSum);
            for (std::size_t j = 0; j < n; ++j)
                row[j] *= inverse;
        }
        if (rows == 0)
            continue;
        if (l == 0) {
            std::copy(mixed.data.begin(), mixed.data.end(), out + from * n);
        } else { // rollout_l = Â_l · rollout_{l-1}, for the rows computed
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(n), int(n), 1.0f, mixed.ptr(), int(n),
                        out - n * n, int(n), 0.0f, out + from * n, int(n));
        }
    }
    return result;
}

std::vector<const Tensor*> layerWeights(const ModelTrace& trace)
{
    std::vector<const Tensor*> weights;
    for (const Trace& layer : trace.layers)
        weights.push_back(&layer.weights);
    return weights;
}

} // namespace

Tensor attentionRollout(const std::vector<const Tensor*>& layerWeights)
{
    return rollout(layerWeights, nullptr, 0);
}

Tensor attentionRollout(const ModelTrace& trace)
{
    return rollout(layerWeights(trace), nullptr, 0);
}

Tensor attentionRollout(const ModelTrace& trace, const Tensor& earlier, std::size_t unchangedRows)
{
    return rollout(layerWeights(trace), &earlier, unchangedRows);
}

} // namespace attn
