// The row kernel is written with the 16-float vectors of vector_math.h and compiled once
// per x86 target level (ATTN_TARGET_CLONES).
#include "softmax.h"

#include "vector_math.h"

#include <algorithm>
#include <limits>

namespace attn {

namespace {

using namespace simd;

// The last visible keys, padded to a full vector with -inf (which adds nothing to the
// maximum and exponentiates to 0).
struct Tail {
    float values[lanes];
    Tail(const float* from, std::size_t count)
    {
        std::fill(values, values + lanes, -infinity);
        std::copy(from, from + count, values);
    }
};

// One row: see scaleMaskSoftmaxRows.
ATTN_INLINE void softmaxRow(const float* in, float* out, std::size_t keys, std::size_t visible, float scale)
{
    const std::size_t whole = visible - visible % lanes, rest = visible - whole;
    const Tail tail(in + whole, rest);

    // A NaN never wins `largest < v`, as with std::max in the reference; it still makes
    // the sum, and so the row, NaN below.
    Floats largestLanes = splat(-infinity);
    for (std::size_t j = 0; j < whole; j += lanes) {
        const Floats v = load(in + j) * scale;
        largestLanes = largestLanes < v ? v : largestLanes;
    }
    const Floats tailScaled = load(tail.values) * scale;
    largestLanes = largestLanes < tailScaled ? tailScaled : largestLanes;
    float largest = -infinity;
    for (std::size_t l = 0; l < lanes; ++l)
        largest = largest < largestLanes[l] ? largestLanes[l] : largest;

    if (largest == -infinity) {
        std::fill(out, out + keys, 0.0f);
        return;
    }

    Floats sumLanes = splat(0.0f);
    for (std::size_t j = 0; j < whole; j += lanes) {
        const Floats e = expKernel(load(in + j) * scale - largest);
        store(out + j, e);
        sumLanes += e;
    }
    const Floats tailExp = expKernel(tailScaled - largest);
    sumLanes += tailExp;
    const float sum = sumOfLanes(sumLanes);

    const float inverse = 1.0f / sum;
    for (std::size_t j = 0; j < whole; j += lanes)
        store(out + j, load(out + j) * inverse);
    for (std::size_t l = 0; l < rest; ++l)
        out[whole + l] = tailExp[l] * inverse;
    std::fill(out + visible, out + keys, 0.0f);
}

} // namespace

float expNonPositive(float x)
{
    return expKernel(splat(x))[0];
}

ATTN_TARGET_CLONES
void scaleMaskSoftmaxRows(const float* scores, float* weights, std::size_t rows, std::size_t keys,
                          std::size_t firstQuery, float scale, bool causal)
{
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t visible = causal ? std::min(keys, firstQuery + r + 1) : keys;
        softmaxRow(scores + r * keys, weights + r * keys, keys, visible, scale);
    }
}

} // namespace attn
