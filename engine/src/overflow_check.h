// The last check of a forward pass. Inputs and weights are finite (files holding NaN or
// infinity are refused when read), so an output that is not means that a product left
// float32's range: a score of +inf makes its row of weights NaN, and so the output, which a
// picture would show as zeros. Such a pass is refused rather than shown. A raw score beyond
// the range whose weight still comes out right (the reference sums in double) is kept as
// float32 rounds it, ±infinity.
#pragma once

#include <cstddef>
#include <string>

namespace attn {

// Throws Error("some products of <what> exceed float32's range ...; <advice>") when any of
// the values is infinite or NaN.
void refuseOverflow(const float* values, std::size_t count, const std::string& what, const std::string& advice);

} // namespace attn
