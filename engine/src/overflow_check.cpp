#include "overflow_check.h"

#include "attn/error.h"
#include "attn/trace.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <cstdint>
#include <cstring>

namespace attn {

void refuseOverflow(const float* values, std::size_t count, const std::string& what, const std::string& advice)
{
    // An exponent of all ones is infinity or NaN. Integer tests, so that the loop runs at
    // memory speed: 0.23 ms for [2048 x 768], where std::isfinite took 0.43.
    std::uint32_t nonFinite = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, values + i, sizeof bits);
        nonFinite |= std::uint32_t((bits & 0x7f800000u) == 0x7f800000u);
    }
    if (nonFinite != 0)
        throw Error("some products of " + what + " exceed float32's range (about 3.4e38) and came out infinite or NaN; "
                    + advice);
}

namespace {

// The largest |value|. Without their sign bits floats order as their bits do, and an
// integer maximum vectorises where a float one (NaN rules) does not.
double largestMagnitude(const Tensor& tensor)
{
    std::uint32_t largest = 0;
    for (std::size_t i = 0; i < tensor.size(); ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, tensor.ptr() + i, sizeof bits);
        largest = std::max(largest, bits & 0x7fffffffu);
    }
    float magnitude;
    std::memcpy(&magnitude, &largest, sizeof magnitude);
    return double(magnitude);
}

} // namespace

void refuseOverflowingScores(const Trace& trace, const std::string& advice)
{
    const double limit = double(std::numeric_limits<float>::max());
    const double bound = double(trace.config.d_k) * largestMagnitude(trace.q) * largestMagnitude(trace.k);
    if (!(bound < limit)) // NaN too
        refuseOverflow(trace.scores.ptr(), trace.scores.size(), "this layer's scores QKᵀ", advice);
    // A small temperature scales finite scores past the range too: the float backends'
    // softmax then makes NaN of the row, where the reference's double would not.
    const double scale = std::fabs(double(trace.config.scoreScale()));
    if (scale > 1.0 && !(bound * scale < limit) && !(largestMagnitude(trace.scores) * scale < limit))
        throw Error("some of this layer's scores QKᵀ ÷ √dₖ ÷ T exceed float32's range (about 3.4e38) once scaled by "
                    + std::to_string(scale) + "; raise the temperature, or " + advice);
}

} // namespace attn
