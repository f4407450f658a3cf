#include "attn/embedding.h"

#include "embedding_rows.h"
#include "random.h"

#include <cmath>

namespace attn {

namespace detail {

void tokenVector(std::string_view text, std::uint64_t seed, std::size_t width, float* out)
{
    Random random(hashText(text, seed));
    for (std::size_t col = 0; col < width; ++col)
        out[col] = float(random.normal());
}

double sinusoidDivisor(std::size_t col, std::size_t width)
{
    const double pair = double(col / 2 * 2);
    return std::pow(10000.0, pair / double(width));
}

float sinusoid(std::size_t pos, std::size_t col, double divisor)
{
    const double angle = double(pos) / divisor;
    return float(col % 2 == 0 ? std::sin(angle) : std::cos(angle));
}

} // namespace detail

Tensor embed(const std::vector<Token>& tokens, const Config& config)
{
    const std::size_t width = std::size_t(config.d_model);
    Tensor x({tokens.size(), width});
    for (std::size_t row = 0; row < tokens.size(); ++row)
        detail::tokenVector(tokens[row].text, config.seed, width, &x.at(row, 0));
    if (config.positional == Positional::Sinusoidal)
        addSinusoidalPositions(x);
    return x;
}

void addSinusoidalPositions(Tensor& x)
{
    const std::size_t rows = x.dim(0);
    const std::size_t width = x.dim(1);
    for (std::size_t col = 0; col < width; ++col) {
        const double divisor = detail::sinusoidDivisor(col, width);
        for (std::size_t pos = 0; pos < rows; ++pos)
            x.at(pos, col) += detail::sinusoid(pos, col, divisor);
    }
}

} // namespace attn
