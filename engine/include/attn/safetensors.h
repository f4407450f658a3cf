// Hugging Face's .safetensors format, and attention layers stored in it.
#pragma once

#include "attn/tensor.h"
#include "attn/weights.h"

#include <map>
#include <string>

namespace attn {

// Every tensor of the file as float32 (F32, F16 and BF16 are converted). Throws attn::Error
// naming the file, the tensor and the problem: truncated file, header length past the end,
// offsets outside the data, overlapping tensors, unknown dtype, shape that disagrees with
// the byte count, NaN or Inf.
std::map<std::string, Tensor> readSafetensors(const std::string& path);

// A layer in nn.Linear layout: q_proj.weight, k_proj.weight, v_proj.weight, out_proj.weight,
// each with an optional .bias. `heads` splits the rows; d_model, d_k, d_v follow from the
// shapes. Throws attn::Error naming the file for missing tensors, shapes that disagree and
// sizes beyond the engine's limits (Limits, memory included); all of these before any data
// is read.
LayerWeights readLayerWeights(const std::string& path, int heads);

} // namespace attn
