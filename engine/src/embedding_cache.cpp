#include "embedding_cache.h"

#include "embedding_rows.h"

#include <algorithm>

namespace attn {

namespace {

// Enough for a long text's words and positions at any width; past it, the rows beyond are
// computed each time, as attn::embed does.
constexpr std::size_t mostBytes = std::size_t(64) << 20;
// What a kept word costs besides its numbers and text: the map's node, the vector's and
// string's headers, two allocations.
constexpr std::size_t entryOverhead = 128;

} // namespace

Tensor EmbeddingCache::embed(const std::vector<Token>& tokens, const Config& config)
{
    const std::size_t width = std::size_t(config.d_model);
    if (width != m_width || config.seed != m_seed) {
        m_tokens.clear();
        m_tokenBytes = 0;
        FloatStorage().swap(m_positions);
        m_width = width;
        m_seed = config.seed;
    }
    Tensor x({tokens.size(), width});
    for (std::size_t row = 0; row < tokens.size(); ++row)
        tokenVector(tokens[row].text, &x.at(row, 0));
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

void EmbeddingCache::tokenVector(const std::string& text, float* row)
{
    if (const auto found = m_tokens.find(text); found != m_tokens.end()) {
        std::copy(found->second.begin(), found->second.end(), row);
        return;
    }
    detail::tokenVector(text, m_seed, m_width, row);
    // Full: the words seen first stay, and the rest are made each time, as attn::embed does.
    const std::size_t bytes = m_width * sizeof(float) + text.size() + entryOverhead;
    if (m_tokenBytes + bytes > mostBytes)
        return;
    m_tokens.emplace(text, std::vector<float>(row, row + m_width));
    m_tokenBytes += bytes;
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
