// The pieces of X that attn::embed adds up, one row or one value at a time, so that the
// engine's cache of them (embedding_cache.h) makes the very same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace attn::detail {

// The seeded vector of a token's text: `width` standard normal values.
void tokenVector(std::string_view text, std::uint64_t seed, std::size_t width, float* out);

// 10000^(2i/d) for column col of d = width: the divisor of the position in its angle.
double sinusoidDivisor(std::size_t col, std::size_t width);

// PE(pos, col) as the float added to X, given its column's divisor.
float sinusoid(std::size_t pos, std::size_t col, double divisor);

} // namespace attn::detail
