// NumPy's .npy format (version 1.0-3.0): float32 or float64, little-endian, C order.
#pragma once

#include "attn/tensor.h"

#include <cstddef>
#include <string>
#include <vector>

namespace attn {

// Reads float32 or float64 data as float32. Throws attn::Error naming the file and the
// problem for anything else: truncated, bad header, unknown dtype, Fortran order, NaN or Inf.
Tensor readNpy(const std::string& path);

// The shape the file declares, from its header alone: the size of what readNpy would read,
// known before any of it is read. Throws as readNpy does, but for NaN or Inf in the data.
std::vector<std::size_t> readNpyShape(const std::string& path);

// Writes float32, C order. Throws attn::Error naming the file when it cannot be written.
void writeNpy(const std::string& path, const Tensor& tensor);

} // namespace attn
