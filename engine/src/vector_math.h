// Vectors of 16 floats through GCC/Clang vector types, and exp and log on them: explicit enough
// that loops vectorise without -ffast-math (which would change NaN and infinity handling
// elsewhere), portable because the compiler lowers the type to whatever registers the
// target has (one AVX-512 register, two AVX2, four SSE2). A function marked
// ATTN_TARGET_CLONES is compiled three times on x86 and the loader picks the best the CPU
// has, so a build from source runs well on any x86-64 machine; the helpers here are
// inlined into each clone, so each is compiled for its own target.
#pragma once

#include <cstddef>
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

namespace attn::simd {

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

// The sum of the lanes as a tree of halves: a few vector additions in place of fifteen
// dependent scalar ones, which cost more than the products when rows are short.
ATTN_INLINE float sumOfLanes(Floats v)
{
    static_assert(lanes == 16);
    using Eight = float __attribute__((vector_size(8 * sizeof(float))));
    using Four = float __attribute__((vector_size(4 * sizeof(float))));
    const Eight eight = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
        + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    const Four four = __builtin_shufflevector(eight, eight, 0, 1, 2, 3) + __builtin_shufflevector(eight, eight, 4, 5, 6, 7);
    return (four[0] + four[2]) + (four[1] + four[3]);
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

// Cephes' logf: x = m · 2^e with m in [√½, √2), ln x = e · ln 2 + ln m, ln m by a
// degree-8 polynomial in m − 1 (ln 2 in two parts, so that e · ln 2 stays exact). Within
// 1 ulp for positive finite x, subnormals included (scaled by 2^23 first); callers mask
// x ≤ 0, whose result here means nothing, as it does for infinity and NaN.
ATTN_INLINE Floats logKernel(Floats x)
{
    using Ints = std::int32_t __attribute__((vector_size(lanes * sizeof(float))));
    const auto subnormal = x < std::numeric_limits<float>::min();
    x = subnormal ? x * 8388608.0f : x;
    const Bits bits = Bits(x);
    Floats e = __builtin_convertvector(Ints(bits >> 23) - 126, Floats);
    e = subnormal ? e - 23.0f : e;
    Floats m = Floats((bits & 0x007fffffu) | 0x3f000000u); // [0.5, 1)
    const auto low = m < 0.707106781186547524f;
    e = low ? e - 1.0f : e;
    m = low ? m + m - 1.0f : m - 1.0f;
    const Floats z = m * m;
    Floats p = splat(7.0376836292e-2f);
    p = p * m - 1.1514610310e-1f;
    p = p * m + 1.1676998740e-1f;
    p = p * m - 1.2420140846e-1f;
    p = p * m + 1.4249322787e-1f;
    p = p * m - 1.6668057665e-1f;
    p = p * m + 2.0000714765e-1f;
    p = p * m - 2.4999993993e-1f;
    p = p * m + 3.3333331174e-1f;
    Floats y = p * m * z;
    y = y + e * -2.12194440e-4f;
    y = y - z * 0.5f;
    return m + y + e * 0.693359375f;
}

} // namespace attn::simd
