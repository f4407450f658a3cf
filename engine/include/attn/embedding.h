// Input vectors for text: a deterministic vector per (token text, seed), plus the
// sinusoidal positional encoding of "Attention Is All You Need".
#pragma once

#include "attn/config.h"
#include "attn/tensor.h"
#include "attn/tokenizer.h"

#include <vector>

namespace attn {

// [tokens x d_model]: the same word at the same position always gives the same row.
Tensor embed(const std::vector<Token>& tokens, const Config& config);

// PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).
void addSinusoidalPositions(Tensor& x);

} // namespace attn
