#include "format_checks.h"

#include "attn/error.h"

#include <cmath>

namespace attn::formats {

std::optional<std::size_t> byteCount(const std::vector<std::size_t>& shape, std::size_t itemSize)
{
    std::size_t total = itemSize;
    for (std::size_t dim : shape)
        if (__builtin_mul_overflow(total, dim, &total))
            return std::nullopt;
    return total;
}

std::string indexText(const std::vector<std::size_t>& shape, std::size_t flat)
{
    std::vector<std::size_t> index(shape.size());
    for (std::size_t axis = shape.size(); axis-- > 0;) {
        index[axis] = shape[axis] ? flat % shape[axis] : 0;
        flat = shape[axis] ? flat / shape[axis] : 0;
    }
    std::string text = "[";
    for (std::size_t axis = 0; axis < index.size(); ++axis)
        text += (axis ? ", " : "") + std::to_string(index[axis]);
    return text + "]";
}

void requireFinite(const Tensor& tensor, const std::string& what)
{
    for (std::size_t i = 0; i < tensor.data.size(); ++i) {
        const float value = tensor.data[i];
        if (std::isfinite(value))
            continue;
        const char* kind = std::isnan(value) ? "NaN" : (value > 0 ? "+Inf" : "-Inf");
        throw Error(what + ": value " + kind + " at index " + indexText(tensor.shape, i) + " (element "
                    + std::to_string(i) + "). Attention needs finite numbers; fix or regenerate the data.");
    }
}

} // namespace attn::formats
