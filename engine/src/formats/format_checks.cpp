#include "format_checks.h"

#include "attn/error.h"

#include <cmath>
#include <cstdio>

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

float narrowToFloat(double value, const std::vector<std::size_t>& shape, std::size_t flat, const std::string& what)
{
    const float narrowed = float(value);
    if (std::isfinite(value) && !std::isfinite(narrowed)) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", value);
        throw Error(what + ": value " + text + " at index " + indexText(shape, flat)
                    + " is outside float32's range (about 3.4e38), in which the layer is computed; scale the data to fit float32.");
    }
    return narrowed;
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
