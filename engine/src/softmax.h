// The fused step between QKᵀ and the weighted sum, shared by the CPU backends.
#pragma once

#include <cstddef>

namespace attn {

// For each of `rows` rows of `keys` raw scores: multiply by `scale`, mask keys after the
// query when `causal` (row r is query r % queries), subtract the row maximum, exponentiate
// and normalise. Masked entries become exactly 0; a row with every key masked becomes all 0.
void scaleMaskSoftmax(const float* scores, float* weights, std::size_t rows, std::size_t queries,
                      std::size_t keys, float scale, bool causal);

} // namespace attn
