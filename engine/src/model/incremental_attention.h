// Causal attention for new rows only: the rows before `from` come from the previous trace
// of the same layer (their queries, keys and values, and so their weights, cannot change
// when later tokens change), the new rows are computed against all keys. The arithmetic
// follows the BLAS backend step for step (cblas_sgemm, then the shared scaleMaskSoftmax),
// so the result equals a full recompute to float32 rounding.
#pragma once

#include "attn/trace.h"
#include "attn/weights.h"

namespace attn {

// attended: the new rows' input [m x d_model]. Fills every field of `t` for n = from + m rows.
void attendIncremental(const Trace& previous, const Tensor& attended, const LayerWeights& w, std::size_t from,
                       float scale, bool keepScores, Trace& t);

} // namespace attn
