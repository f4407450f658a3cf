#include "attn/tensor.h"

namespace attn {

Tensor::Tensor(std::vector<std::size_t> dims) : shape(std::move(dims)), data(count(shape)) {}

std::size_t Tensor::count(const std::vector<std::size_t>& dims)
{
    std::size_t total = 1;
    for (std::size_t d : dims)
        total *= d;
    return total;
}

void Tensor::reshape(std::vector<std::size_t> dims)
{
    const std::size_t wanted = count(dims);
    if (wanted > data.capacity()) {
        FloatStorage().swap(data); // the old values are not worth copying, nor holding twice
        FloatStorage(wanted).swap(data);
    } else {
        data.resize(wanted, 0.0f);
    }
    shape = std::move(dims);
}

std::string Tensor::shapeText(const std::vector<std::size_t>& dims)
{
    std::string text = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i)
            text += " x ";
        text += std::to_string(dims[i]);
    }
    return text + "]";
}

} // namespace attn
