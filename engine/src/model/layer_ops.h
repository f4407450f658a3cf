// The arithmetic between attention layers: linear maps through cblas_sgemm, layer norm,
// activations. Rows are contiguous, row-major.
#pragma once

#include "attn/model/model.h"
#include "attn/tensor.h"

#include <cstddef>

namespace attn::ops {

// y [n x out] = x [n x in] Wᵀ + b, W in nn.Linear layout [out x in]; b may be empty.
void linear(const float* x, std::size_t n, const Tensor& w, const Tensor& b, float* y);
// y = x + (x_in Wᵀ + b), added onto y in place (the residual connection).
void linearAdd(const float* x, std::size_t n, const Tensor& w, const Tensor& b, float* y);
// Per row: (x - mean) / sqrt(var + eps) * gamma + beta; y may equal x.
void layerNorm(const float* x, std::size_t n, std::size_t d, const Tensor& gamma, const Tensor& beta, float eps,
               float* y);
void activate(float* x, std::size_t count, Activation activation);

} // namespace attn::ops
