// The fused step between QKᵀ and the weighted sum, shared by the CPU backends.
#pragma once

#include <cstddef>

namespace attn {

// For each of `rows` rows of `keys` raw scores (row r is query `firstQuery + r`): multiply
// by `scale`, mask the keys after the query when `causal` (query i sees keys 0..i),
// subtract the row maximum, exponentiate and normalise, in one pass over a row that stays
// in the first-level cache. Masked entries become exactly 0, and so does every entry of a
// row that sees no finite score (all -inf): it attends to nothing rather than dividing 0
// by 0. A NaN score makes its row NaN, as in the reference. `scores` may equal `weights`.
void scaleMaskSoftmaxRows(const float* scores, float* weights, std::size_t rows, std::size_t keys,
                          std::size_t firstQuery, float scale, bool causal);

// exp(x) for x ≤ 0 within 2 ulp, 0 below -87 (where float would go subnormal), NaN for
// NaN; branch-free so that loops over it vectorise. Exposed for its tests.
float expNonPositive(float x);

} // namespace attn
