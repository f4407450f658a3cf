// Causal attention for new rows only: the rows before `from` come from the previous trace
// of the same layer (their queries, keys and values, and so their weights, cannot change
// when later tokens change), the new rows are computed against all keys. The arithmetic
// follows the BLAS backend step for step (cblas_sgemm, then the shared scaleMaskSoftmaxRows),
// so the result equals a full recompute to float32 rounding.
#pragma once

#include "attn/trace.h"
#include "attn/weights.h"

namespace attn {

// t.x holds all n rows (the new ones from `from` on); fills every other field of `t` for
// n rows, writing over whatever storage t's tensors already have. Rows [0, inPlace) of t
// already hold those of `previous` (see ForwardRequest::inPlace) and are not copied. Without
// keepScores the new rows' raw scores go to `scratch` and t.scores is left empty.
void attendIncremental(const Trace& previous, const LayerWeights& w, std::size_t from, std::size_t inPlace, float scale,
                       bool keepScores, Tensor& scratch, Trace& t);

} // namespace attn
