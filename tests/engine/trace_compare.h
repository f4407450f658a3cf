// A float32 backend's trace against the double-precision reference: a mixed absolute and
// relative epsilon, and a message that names the tensor, its shape and the first element
// that differs. Shared by the BLAS and the Vulkan tests.
#pragma once

#include <attn/tensor.h>
#include <attn/trace.h>

#include <QString>

#include <algorithm>
#include <cmath>
#include <utility>

namespace tracecompare {

// |actual - expected| <= kAbsolute * scale + kRelative * |expected|, where scale is the
// tensor's largest magnitude (at least 1). The absolute part follows the tensor's scale
// because an element near 0 can be the difference of large terms (QKᵀ of long vectors),
// and float32 sums carry an error proportional to the terms, not to the result.
constexpr double kAbsolute = 4e-6;
constexpr double kRelative = 1e-4;

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

} // namespace tracecompare
