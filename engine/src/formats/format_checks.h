// Checks shared by the file readers: overflow-safe sizes and finite values.
#pragma once

#include "attn/tensor.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace attn::formats {

// product(shape) * itemSize, or nothing when it does not fit in size_t.
std::optional<std::size_t> byteCount(const std::vector<std::size_t>& shape, std::size_t itemSize);

// "[1, 2]": the multi-dimensional index of flat element `flat` in a row-major shape.
std::string indexText(const std::vector<std::size_t>& shape, std::size_t flat);

// A float64 value from a file as float32. Throws attn::Error when a finite value lies
// outside float32's range, rather than let it become Inf silently.
float narrowToFloat(double value, const std::vector<std::size_t>& shape, std::size_t flat, const std::string& what);

// Throws attn::Error "<what>: value NaN at index [i, j] (element k) ..." for the first
// value that is not finite. `what` names the file, and the tensor where there are several.
void requireFinite(const Tensor& tensor, const std::string& what);

} // namespace attn::formats
