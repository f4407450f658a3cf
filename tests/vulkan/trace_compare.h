// Shared by the Vulkan tests: random layers and inputs, the trace comparison of the BLAS
// tests, and an environment variable set for one scope (the injected faults).
#pragma once

#include "../engine/trace_compare.h"

#include <attn/tensor.h>
#include <attn/trace.h>
#include <attn/weights.h>

#include <QByteArray>
#include <QString>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace vulkantest {

class ScopedEnv {
public:
    ScopedEnv(const char* name, const QByteArray& value) : m_name(name) { qputenv(name, value); }
    ~ScopedEnv() { qunsetenv(m_name); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
};

inline attn::Tensor randomTensor(std::vector<std::size_t> shape, double spread, std::mt19937_64& random)
{
    attn::Tensor t(std::move(shape));
    std::uniform_real_distribution<float> uniform(float(-spread), float(spread));
    for (float& value : t.data)
        value = uniform(random);
    return t;
}

// Weights scaled like Xavier initialisation, so the scores stay in a realistic range;
// biases (when asked) are non-zero so that a missing bias add shows.
inline attn::LayerWeights randomLayer(int heads, int dModel, int dK, int dV, bool bias, std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    attn::LayerWeights w;
    w.heads = heads;
    w.d_model = dModel;
    w.d_k = dK;
    w.d_v = dV;
    const auto h = std::size_t(heads), dm = std::size_t(dModel), dk = std::size_t(dK), dv = std::size_t(dV);
    const double inSpread = std::sqrt(3.0 / double(dm)), outSpread = std::sqrt(3.0 / double(h * dv));
    w.w_q = randomTensor({h * dk, dm}, inSpread, random);
    w.w_k = randomTensor({h * dk, dm}, inSpread, random);
    w.w_v = randomTensor({h * dv, dm}, inSpread, random);
    w.w_o = randomTensor({dm, h * dv}, outSpread, random);
    if (bias) {
        w.b_q = randomTensor({h * dk}, 0.5, random);
        w.b_k = randomTensor({h * dk}, 0.5, random);
        w.b_v = randomTensor({h * dv}, 0.5, random);
        w.b_o = randomTensor({dm}, 0.5, random);
    }
    w.checkShapes();
    return w;
}

inline attn::Tensor randomInputs(std::size_t rows, int dModel, std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    return randomTensor({rows, std::size_t(dModel)}, 1.5, random);
}

using tracecompare::compareTensor;
using tracecompare::compareTraces;

} // namespace vulkantest
