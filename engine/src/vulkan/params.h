// Push constants of the shaders, field for field: keep in step with the Params blocks of
// shaders/matmul.comp and shaders/softmax.comp (std430-style packing of 32-bit values).
#pragma once

#include <cstdint>

namespace attn::vulkan {

// C[z] = alpha · A[z] · B[z] (+ bias); see shaders/matmul.comp for the addressing.
struct MatmulParams {
    std::uint32_t M = 0, N = 0, K = 0, batch = 1;
    std::uint32_t aOffset = 0, aBatchStride = 0, aStrideM = 0, aStrideK = 1;
    std::uint32_t aBlock = 0xffffffffu, aBlockStride = 0; // by default K is one block
    std::uint32_t bOffset = 0, bBatchStride = 0, bStrideK = 0, bStrideN = 1;
    std::uint32_t cOffset = 0, cBatchStride = 0, cStrideM = 0;
    std::uint32_t biasOffset = 0, biasBatchStride = 0, hasBias = 0;
    float alpha = 1.0f;
};
static_assert(sizeof(MatmulParams) == 21 * 4, "MatmulParams must match matmul.comp's push constants");

struct SoftmaxParams {
    std::uint32_t rows = 0, queries = 0, keys = 0, causal = 0;
    float scale = 1.0f;
};
static_assert(sizeof(SoftmaxParams) == 5 * 4, "SoftmaxParams must match softmax.comp's push constants");

// Specialization constants of matmul.comp: workgroup x, y, then TILE_K, REG_M, REG_N.
// A 16x16 workgroup with 4x4 outputs per invocation covers 64x64 tiles of C.
struct MatmulTiles {
    std::uint32_t workgroupX = 16, workgroupY = 16, tileK = 16, regM = 4, regN = 4;
    std::uint32_t tileM() const { return workgroupY * regM; }
    std::uint32_t tileN() const { return workgroupX * regN; }
};

} // namespace attn::vulkan
