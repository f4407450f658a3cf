// The row kernel is written with GCC/Clang vector types of 16 floats: explicit enough that
// it vectorises without -ffast-math (which would change NaN and infinity handling
// elsewhere), portable because the compiler lowers the type to whatever registers the
// target has (one AVX-512 register, two AVX2, four SSE2). On x86 the kernel is compiled
// three times and the loader picks the best the CPU has, so a build from source runs well
// on any x86-64 machine.
#include "softmax.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

// The vector type never crosses a function boundary that is not inlined, so the warning
// that its calling convention differs between targets does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

#if defined(__x86_64__) && defined(__has_attribute) && !defined(__clang__)
#if __has_attribute(target_clones)
#define ATTN_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
#endif
#ifndef ATTN_TARGET_CLONES
#define ATTN_TARGET_CLONES
#endif

namespace attn {

namespace {

// Inlined into each clone of the kernel, so that each is compiled for its own target.
#define ATTN_INLINE inline __attribute__((always_inline))

constexpr std::size_t lanes = 16;
using Floats = float __attribute__((vector_size(lanes * sizeof(float))));
using Bits = std::uint32_t __attribute__((vector_size(lanes * sizeof(float))));

constexpr float infinity = std::numeric_limits<float>::infinity();

ATTN_INLINE Floats splat(float value)
{
    return Floats{} + value;
}

ATTN_INLINE Floats load(const float* from)
{
    Floats v;
    std::memcpy(&v, from, sizeof v);
    return v;
}

ATTN_INLINE void store(float* to, Floats v)
{
    std::memcpy(to, &v, sizeof v);
}

// Cephes' expf: exp(x) = 2^k · exp(r) with k = round(x / ln 2) and |r| ≤ ln 2 / 2, r found
// in two steps (Cody-Waite) so that it stays exact, exp(r) by a degree-6 polynomial.
// Within 2 ulp for -87 ≤ x ≤ 88; 0 below -87 (where floats turn subnormal); NaN stays NaN.
ATTN_INLINE Floats expKernel(Floats x)
{
    const Floats lowest = splat(-87.0f);
    const Floats clamped = x < lowest ? lowest : x;
    // Adding 1.5·2^23 rounds to an integer held in the low mantissa bits: a round() that
    // needs no call and no float-to-int conversion.
    const Floats roundingShift = splat(12582912.0f);
    const Floats shifted = clamped * 1.44269504088896341f + roundingShift;
    const Floats k = shifted - roundingShift;
    Floats r = clamped - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    Floats p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const Floats expR = p * r * r + r + 1.0f;
    // 2^k from its exponent bits; k lies in [-126, 128] here.
    const Bits kBits = Bits(shifted) - Bits(roundingShift);
    const Floats twoToK = Floats((kBits + 127u) << 23);
    // A NaN fails the comparison and flows through the arithmetic unchanged.
    return x < lowest ? splat(0.0f) : expR * twoToK;
}

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
    float sum = 0.0f;
    for (std::size_t l = 0; l < lanes; ++l)
        sum += sumLanes[l];

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

void scaleMaskSoftmax(const float* scores, float* weights, std::size_t rows, std::size_t queries,
                      std::size_t keys, float scale, bool causal)
{
    if (queries == 0)
        return;
    for (std::size_t first = 0; first < rows; first += queries)
        scaleMaskSoftmaxRows(scores + first * keys, weights + first * keys, std::min(queries, rows - first), keys, 0,
                             scale, causal);
}

} // namespace attn
