// A dense, row-major float32 array with a shape: the one container every trace
// matrix, weight and file format in the engine uses.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "attn/zeroed_allocator.h"

namespace attn {

struct Tensor {
    std::vector<std::size_t> shape;
    FloatStorage data; // zero when new, without a pass that writes the zeros

    Tensor() = default;
    explicit Tensor(std::vector<std::size_t> dims);
    Tensor(std::initializer_list<std::size_t> dims) : Tensor(std::vector<std::size_t>(dims)) {}

    static std::size_t count(const std::vector<std::size_t>& dims);

    // These dimensions, in the storage the tensor already has where it is large enough (the
    // values there are kept, new ones are 0), so a result about to be overwritten costs no
    // fresh memory; otherwise in new, zeroed storage.
    void reshape(std::vector<std::size_t> dims);

    bool empty() const { return data.empty(); }
    std::size_t size() const { return data.size(); }
    std::size_t rank() const { return shape.size(); }
    std::size_t dim(std::size_t axis) const { return shape.at(axis); }

    float* ptr() { return data.data(); }
    const float* ptr() const { return data.data(); }

    // Row-major element access for the ranks the trace uses.
    float& at(std::size_t i, std::size_t j) { return data[i * shape[1] + j]; }
    float at(std::size_t i, std::size_t j) const { return data[i * shape[1] + j]; }
    float& at(std::size_t h, std::size_t i, std::size_t j) { return data[(h * shape[1] + i) * shape[2] + j]; }
    float at(std::size_t h, std::size_t i, std::size_t j) const { return data[(h * shape[1] + i) * shape[2] + j]; }

    // "[3 x 4 x 5]", for messages and labels; the static one for shapes with no tensor.
    std::string shapeText() const { return shapeText(shape); }
    static std::string shapeText(const std::vector<std::size_t>& dims);
};

} // namespace attn
