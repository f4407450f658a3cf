#include "embedding_cache.h"

#include "embedding_rows.h"

#include <algorithm>

namespace attn {

namespace {

// Enough for a long text's words and positions at any width; past it, the cache starts over
// (token vectors) or computes the rows beyond (positions), as attn::embed does.
constexpr std::size_t mostBytes = std::size_t(64) << 20;

} // namespace

Tensor EmbeddingCache::embed(const std::vector<Token>& tokens, const Config& config)
{
    const std::size_t width = std::size_t(config.d_model);
    if (width != m_width || config.seed != m_seed) {
        m_tokens.clear();
        FloatStorage().swap(m_positions);
        m_width = width;
        m_seed = config.seed;
    }
    Tensor x({tokens.size(), width});
    for (std::size_t row = 0; row < tokens.size(); ++row) {
        const float* vector = tokenVector(tokens[row].text);
        std::copy(vector, vector + width, &x.at(row, 0));
    }
    if (config.positional != Positional::Sinusoidal)
        return x;
    const std::size_t kept = std::min(tokens.size(), mostBytes / sizeof(float) / std::max<std::size_t>(width, 1));
    const float* table = positions(kept);
    for (std::size_t i = 0; i < kept * width; ++i)
        x.data[i] += table[i];
    for (std::size_t col = 0; col < width && kept < tokens.size(); ++col) {
        const double divisor = detail::sinusoidDivisor(col, width);
        for (std::size_t pos = kept; pos < tokens.size(); ++pos)
            x.at(pos, col) += detail::sinusoid(pos, col, divisor);
    }
    return x;
}

const float* EmbeddingCache::tokenVector(const std::string& text)
{
    if (const auto found = m_tokens.find(text); found != m_tokens.end())
        return found->second.data();
    if ((m_tokens.size() + 1) * m_width * sizeof(float) > mostBytes)
        m_tokens.clear();
    std::vector<float>& vector = m_tokens[text];
    vector.resize(m_width);
    detail::tokenVector(text, m_seed, m_width, vector.data());
    return vector.data();
}

const float* EmbeddingCache::positions(std::size_t rows)
{
    const std::size_t have = m_width > 0 ? m_positions.size() / m_width : 0;
    if (rows > have) {
        m_positions.resize(rows * m_width);
        for (std::size_t col = 0; col < m_width; ++col) {
            const double divisor = detail::sinusoidDivisor(col, m_width);
            for (std::size_t pos = have; pos < rows; ++pos)
                m_positions[pos * m_width + col] = detail::sinusoid(pos, col, divisor);
        }
    }
    return m_positions.data();
}

} // namespace attn
