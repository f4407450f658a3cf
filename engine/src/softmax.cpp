#include "softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attn {

void scaleMaskSoftmax(const float* scores, float* weights, std::size_t rows, std::size_t queries,
                      std::size_t keys, float scale, bool causal)
{
    for (std::size_t r = 0; r < rows; ++r) {
        const float* in = scores + r * keys;
        float* out = weights + r * keys;
        const std::size_t visible = causal ? std::min(keys, r % queries + 1) : keys;
        float largest = -std::numeric_limits<float>::infinity();
        for (std::size_t j = 0; j < visible; ++j)
            largest = std::max(largest, in[j] * scale);
        float sum = 0.0f;
        for (std::size_t j = 0; j < visible; ++j) {
            out[j] = std::exp(in[j] * scale - largest);
            sum += out[j];
        }
        const float inverse = visible ? 1.0f / sum : 0.0f;
        for (std::size_t j = 0; j < visible; ++j)
            out[j] *= inverse;
        std::fill(out + visible, out + keys, 0.0f);
    }
}

} // namespace attn
