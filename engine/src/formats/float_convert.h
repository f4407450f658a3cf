// Little-endian element decoding for the file formats. Every read goes through memcpy
// because file data need not be aligned for its type (a safetensors header may have any
// length).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace attn::formats {

static_assert(std::endian::native == std::endian::little, "the file readers assume a little-endian machine");

template <typename T>
T loadLittleEndian(const std::byte* source)
{
    T value;
    std::memcpy(&value, source, sizeof value);
    return value;
}

// IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
inline float halfToFloat(std::uint16_t half)
{
    const std::uint32_t sign = std::uint32_t(half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1fu;
    const std::uint32_t mantissa = half & 0x3ffu;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24, exact in float32.
        const float magnitude = std::ldexp(float(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) // Inf or NaN keep their payload
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    // Rebias the exponent from 15 to 127 and widen the mantissa from 10 to 23 bits.
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

// bfloat16 is the upper half of a float32.
inline float bfloat16ToFloat(std::uint16_t bf16)
{
    return std::bit_cast<float>(std::uint32_t(bf16) << 16);
}

} // namespace attn::formats
