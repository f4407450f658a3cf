#include "attn/embedding.h"

#include "random.h"

#include <cmath>

namespace attn {

Tensor embed(const std::vector<Token>& tokens, const Config& config)
{
    const std::size_t width = std::size_t(config.d_model);
    Tensor x({tokens.size(), width});
    for (std::size_t row = 0; row < tokens.size(); ++row) {
        detail::Random random(detail::hashText(tokens[row].text, config.seed));
        for (std::size_t col = 0; col < width; ++col)
            x.at(row, col) = float(random.normal());
    }
    if (config.positional == Positional::Sinusoidal)
        addSinusoidalPositions(x);
    return x;
}

void addSinusoidalPositions(Tensor& x)
{
    const std::size_t rows = x.dim(0);
    const std::size_t width = x.dim(1);
    for (std::size_t pos = 0; pos < rows; ++pos) {
        for (std::size_t col = 0; col < width; ++col) {
            const double pair = double(col / 2 * 2);
            const double angle = double(pos) / std::pow(10000.0, pair / double(width));
            x.at(pos, col) += float(col % 2 == 0 ? std::sin(angle) : std::cos(angle));
        }
    }
}

} // namespace attn
