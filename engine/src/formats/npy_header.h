// The header of a .npy file: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// parsed by a small recursive-descent reader rather than by pattern matching, so key
// order, spacing, quotes and trailing commas are handled as Python would.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace attn::formats {

struct NpyHeader {
    std::string descr;  // e.g. "<f4"
    bool fortranOrder = false;
    std::vector<std::size_t> shape; // empty for a scalar
};

// Throws attn::Error starting with `path` when the text is not such a dict with exactly
// the keys descr, fortran_order and shape.
NpyHeader parseNpyHeader(std::string_view text, const std::string& path);

// "(2, 3)", "(5,)", "()": Python's repr of a shape tuple, as numpy writes it.
std::string shapeRepr(const std::vector<std::size_t>& shape);

} // namespace attn::formats
