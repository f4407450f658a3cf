#include "layer_ops.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

namespace attn::ops {

namespace {

void gemm(const float* x, std::size_t n, const Tensor& w, const Tensor& b, float* y, bool accumulate)
{
    const std::size_t out = w.dim(0), in = w.dim(1);
    if (n == 0)
        return;
    float beta = accumulate ? 1.0f : 0.0f;
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
        beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(n), int(out), int(in), 1.0f, x, int(in), w.ptr(),
                int(in), beta, y, int(out));
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
    case Activation::GeluTanh: {
        // GPT-2's "gelu_new": 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
        const float k = std::sqrt(2.0f / float(M_PI));
        for (std::size_t i = 0; i < count; ++i) {
            const float v = x[i];
            x[i] = 0.5f * v * (1.0f + std::tanh(k * (v + 0.044715f * v * v * v)));
        }
        break;
    }
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
