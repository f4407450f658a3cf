// The last checks of a forward pass. Inputs and weights are finite (files holding NaN or
// infinity are refused when read), so a score or an output that is not means that a product
// left float32's range. A score of +inf makes its row of weights NaN on the float backends,
// and so the output, which a picture would show as zeros; the reference, which sums in
// double, would still weigh it. Such a pass is refused on every backend rather than shown.
#pragma once

#include <cstddef>
#include <string>

namespace attn {

struct Trace;

// Throws Error("some products of <what> exceed float32's range ...; <advice>") when any of
// the values is infinite or NaN.
void refuseOverflow(const float* values, std::size_t count, const std::string& what, const std::string& advice);

// refuseOverflow on the raw scores QKᵀ, read only where they can overflow: |q·k| is at most
// d_k·max|q|·max|k|, and a pass whose bound stays within float32 skips the h·n² scores.
// The masked scores count too: the trace holds them, and the steps show them. Then the
// scores as softmax takes them, scaled by 1/(√dₖ·T), which a small temperature can push
// past the range.
void refuseOverflowingScores(const Trace& trace, const std::string& advice);

} // namespace attn
