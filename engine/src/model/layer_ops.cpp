#include "layer_ops.h"

#include "rows_times_transposed.h"
#include "thread_team.h"
#include "vector_math.h"

#include <algorithm>
#include <cmath>

namespace attn::ops {

namespace {

void gemm(const float* x, std::size_t n, const Tensor& w, const Tensor& b, float* y, bool accumulate)
{
    const std::size_t out = w.dim(0), in = w.dim(1);
    if (n == 0)
        return;
    if (!b.empty()) {
        for (std::size_t i = 0; i < n; ++i) {
            float* row = y + i * out;
            if (accumulate) {
                for (std::size_t o = 0; o < out; ++o)
                    row[o] += b.data[o];
            } else {
                std::copy(b.data.begin(), b.data.end(), row);
            }
        }
        accumulate = true;
    }
    // In tiles on the thread team (see thread_team.h), by columns where rows are few.
    const team::SingleThreadedBlas blas;
    const unsigned workers = team::teamSize(2.0 * double(n) * double(out) * double(in), blas);
    const team::Tiling tiling(n, out, 16, workers);
    team::WorkQueue queue(tiling.count());
    team::runTeam(workers, [&] {
        queue.drain([&](std::size_t tile) {
            const std::size_t r0 = tiling.firstRow(tile), rows = tiling.lastRow(tile) - r0;
            const std::size_t c0 = tiling.firstCol(tile), cols = tiling.lastCol(tile) - c0;
            rowsTimesTransposed(x + r0 * in, rows, w.ptr() + c0 * in, cols, in, accumulate, y + r0 * out + c0, out);
        });
        queue.waitUntilDone();
    });
}

// GPT-2's "gelu_new", 0.5 v (1 + tanh(u)) with u = √(2/π) (v + 0.044715 v³), computed as
// the same v · σ(2u) with e = exp(-2|u|): σ(2u) = 1 / (1 + e) for u ≥ 0, e / (1 + e) below.
// The exponent is never positive, so nothing overflows; NaN stays NaN.
ATTN_INLINE simd::Floats geluTanh(simd::Floats v)
{
    using namespace simd;
    const Floats u = float(M_2_SQRTPI * M_SQRT1_2) * (v + 0.044715f * v * v * v);
    const Floats e = expKernel(-2.0f * (u < 0.0f ? -u : u));
    return v * ((u < 0.0f ? e : splat(1.0f)) / (1.0f + e));
}

ATTN_TARGET_CLONES
void geluTanhInPlace(float* x, std::size_t count)
{
    using namespace simd;
    const std::size_t whole = count - count % lanes;
    for (std::size_t i = 0; i < whole; i += lanes)
        store(x + i, geluTanh(load(x + i)));
    float tail[lanes] = {};
    std::copy(x + whole, x + count, tail);
    store(tail, geluTanh(load(tail)));
    std::copy(tail, tail + (count - whole), x + whole);
}

} // namespace

void linear(const float* x, std::size_t n, const Tensor& w, const Tensor& b, float* y)
{
    gemm(x, n, w, b, y, false);
}

void linearAdd(const float* x, std::size_t n, const Tensor& w, const Tensor& b, float* y)
{
    gemm(x, n, w, b, y, true);
}

void layerNorm(const float* x, std::size_t n, std::size_t d, const Tensor& gamma, const Tensor& beta, float eps,
               float* y)
{
    for (std::size_t i = 0; i < n; ++i) {
        const float* in = x + i * d;
        float* out = y + i * d;
        double mean = 0.0;
        for (std::size_t j = 0; j < d; ++j)
            mean += in[j];
        mean /= double(d);
        double variance = 0.0;
        for (std::size_t j = 0; j < d; ++j)
            variance += (in[j] - mean) * (in[j] - mean);
        variance /= double(d); // biased, as torch.nn.LayerNorm
        const double inverse = 1.0 / std::sqrt(variance + double(eps));
        for (std::size_t j = 0; j < d; ++j)
            out[j] = float((in[j] - mean) * inverse) * gamma.data[j] + beta.data[j];
    }
}

void activate(float* x, std::size_t count, Activation activation)
{
    switch (activation) {
    case Activation::GeluTanh:
        geluTanhInPlace(x, count);
        break;
    case Activation::GeluErf:
        for (std::size_t i = 0; i < count; ++i)
            x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * float(M_SQRT1_2)));
        break;
    case Activation::Relu:
        for (std::size_t i = 0; i < count; ++i)
            x[i] = std::max(x[i], 0.0f);
        break;
    }
}

} // namespace attn::ops
