// Shared by the Vulkan tests: random layers and inputs, a trace comparison with a mixed
// absolute/relative epsilon that names the tensor, its shape and the first bad index, and
// an environment variable set for one scope (the injected faults).
#pragma once

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

// |actual - expected| <= kAbsolute * scale + kRelative * |expected|, where scale is the
// tensor's largest magnitude (at least 1). The absolute part follows the tensor's scale
// because an element near 0 can be the difference of large terms (QKᵀ of long vectors),
// and float32 sums carry an error proportional to the terms, not to the result.
constexpr double kAbsolute = 4e-6;
constexpr double kRelative = 1e-4;

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

// Empty when the tensors agree; otherwise what differs, where, and by how much.
inline QString compareTensor(const char* name, const attn::Tensor& actual, const attn::Tensor& expected)
{
    const QString label = QString::fromLatin1(name) + QStringLiteral(" ") + QString::fromStdString(expected.shapeText());
    if (actual.shape != expected.shape)
        return label + QStringLiteral(": shape is ") + QString::fromStdString(actual.shapeText());
    double scale = 1.0;
    for (float e : expected.data)
        scale = std::max(scale, double(std::abs(e)));
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const double a = actual.data[i], e = expected.data[i];
        if (!(std::abs(a - e) <= kAbsolute * scale + kRelative * std::abs(e))) {
            QString index;
            std::size_t rest = i;
            for (std::size_t axis = expected.rank(); axis-- > 0;) {
                index.prepend(QString::number(rest % expected.dim(axis)) + (index.isEmpty() ? QString() : QStringLiteral(",")));
                rest /= expected.dim(axis);
            }
            return label + QStringLiteral(": first bad element [") + index + QStringLiteral("] is ") + QString::number(a, 'g', 9)
                   + QStringLiteral(", expected ") + QString::number(e, 'g', 9);
        }
    }
    return {};
}

// Compares every tensor a backend fills.
inline QString compareTraces(const attn::Trace& actual, const attn::Trace& expected)
{
    const std::pair<const char*, const attn::Tensor attn::Trace::*> tensors[] = {
        {"Q", &attn::Trace::q},           {"K", &attn::Trace::k},       {"V", &attn::Trace::v},
        {"scores", &attn::Trace::scores}, {"weights", &attn::Trace::weights}, {"heads", &attn::Trace::heads},
        {"output", &attn::Trace::output}};
    for (const auto& [name, member] : tensors) {
        const QString problem = compareTensor(name, actual.*member, expected.*member);
        if (!problem.isEmpty())
            return problem;
    }
    return {};
}

} // namespace vulkantest
