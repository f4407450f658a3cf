// The engine's compute shaders as SPIR-V words, compiled from shaders/*.comp at build
// time. Each function returns one shader's whole module.
#pragma once

#include <cstdint>
#include <span>

namespace attn::spirv {

std::span<const std::uint32_t> matmul();
std::span<const std::uint32_t> softmax();

} // namespace attn::spirv
