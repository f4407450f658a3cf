// X for a text, as attn::embed makes it, from vectors kept between runs: a keystroke
// changes a token or two, and the other rows' seeded vectors and sinusoids (a normal
// deviate and a sine or cosine per number, on one core: about a third of a run at 2,000
// tokens) are the same as before.
#pragma once

#include "attn/config.h"
#include "attn/tensor.h"
#include "attn/tokenizer.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace attn {

class EmbeddingCache {
public:
    // Exactly attn::embed(tokens, config).
    Tensor embed(const std::vector<Token>& tokens, const Config& config);

private:
    void tokenVector(const std::string& text, float* row); // into the row of X
    const float* positions(std::size_t rows);

    // What the kept numbers depend on; another value empties the cache.
    std::size_t m_width = 0;
    std::uint64_t m_seed = 0;
    std::unordered_map<std::string, std::vector<float>> m_tokens;
    std::size_t m_tokenBytes = 0; // what m_tokens holds, counted as tokenVector adds
    FloatStorage m_positions; // [rows x width], the first rows of the sinusoid
};

} // namespace attn
