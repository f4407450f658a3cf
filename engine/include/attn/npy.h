// NumPy's .npy format (version 1.0-3.0): float32 or float64, little-endian, C order.
#pragma once

#include "attn/tensor.h"

#include <string>

namespace attn {

// Reads float32 or float64 data as float32. Throws attn::Error naming the file and the
// problem for anything else: truncated, bad header, unknown dtype, Fortran order, NaN or Inf.
Tensor readNpy(const std::string& path);

// Writes float32, C order. Throws attn::Error naming the file when it cannot be written.
void writeNpy(const std::string& path, const Tensor& tensor);

} // namespace attn
