#version 450
// C[z] = alpha · A[z] · B[z] (+ bias), batched over z (the heads).
//
// Every operand is addressed through strides, so the same kernel does the projections
// (X Wᵀ written straight into the [heads x n x d] layout, one head per z), QKᵀ, weights·V,
// and the output projection, whose A reads the per-head outputs as if they were
// concatenated (K is split into blocks of d_v, one block per head).
//
// Each workgroup computes a TILE_M x TILE_N tile of C; each invocation a REG_M x REG_N
// register tile, strided by the workgroup size so neighbouring invocations read
// neighbouring shared-memory words. Shared tiles are padded by one column.

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 2) const uint TILE_K = 16;
layout(constant_id = 3) const uint REG_M = 4;
layout(constant_id = 4) const uint REG_N = 4;

layout(std430, set = 0, binding = 0) readonly buffer MatrixA { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer MatrixB { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer MatrixC { float c[]; };
layout(std430, set = 0, binding = 3) readonly buffer Bias { float bias[]; };

// Mirrored by attn::vulkan::MatmulParams; all offsets and strides count floats.
layout(push_constant) uniform Params {
    uint M;
    uint N;
    uint K;
    uint batch;
    // A(m, k) = a[aOffset + z*aBatchStride + m*aStrideM + (k / aBlock)*aBlockStride + (k % aBlock)*aStrideK]
    uint aOffset;
    uint aBatchStride;
    uint aStrideM;
    uint aStrideK;
    uint aBlock;
    uint aBlockStride;
    // B(k, n) = b[bOffset + z*bBatchStride + k*bStrideK + n*bStrideN]
    uint bOffset;
    uint bBatchStride;
    uint bStrideK;
    uint bStrideN;
    // C(m, n) = c[cOffset + z*cBatchStride + m*cStrideM + n]
    uint cOffset;
    uint cBatchStride;
    uint cStrideM;
    // bias(n) = bias[biasOffset + z*biasBatchStride + n], added when hasBias != 0
    uint biasOffset;
    uint biasBatchStride;
    uint hasBias;
    float alpha;
} p;

const uint WG_X = gl_WorkGroupSize.x;
const uint WG_Y = gl_WorkGroupSize.y;
const uint TILE_M = WG_Y * REG_M;
const uint TILE_N = WG_X * REG_N;

shared float tileA[TILE_K][TILE_M + 1];
shared float tileB[TILE_K][TILE_N + 1];

float loadA(uint z, uint m, uint k)
{
    if (m >= p.M || k >= p.K)
        return 0.0;
    const uint block = k / p.aBlock;
    const uint inBlock = k - block * p.aBlock;
    return a[p.aOffset + z * p.aBatchStride + m * p.aStrideM + block * p.aBlockStride + inBlock * p.aStrideK];
}

float loadB(uint z, uint k, uint n)
{
    if (k >= p.K || n >= p.N)
        return 0.0;
    return b[p.bOffset + z * p.bBatchStride + k * p.bStrideK + n * p.bStrideN];
}

void main()
{
    const uint z = gl_WorkGroupID.z;
    if (z >= p.batch)
        return; // whole workgroup leaves together, before any barrier

    const uint tileRow = gl_WorkGroupID.y * TILE_M;
    const uint tileCol = gl_WorkGroupID.x * TILE_N;
    const uint tx = gl_LocalInvocationID.x;
    const uint ty = gl_LocalInvocationID.y;
    const uint local = gl_LocalInvocationIndex;
    const uint threads = WG_X * WG_Y;

    float acc[REG_M][REG_N];
    for (uint i = 0; i < REG_M; ++i)
        for (uint j = 0; j < REG_N; ++j)
            acc[i][j] = 0.0;

    for (uint k0 = 0; k0 < p.K; k0 += TILE_K) {
        for (uint e = local; e < TILE_M * TILE_K; e += threads) {
            const uint row = e / TILE_K;
            const uint kk = e - row * TILE_K;
            tileA[kk][row] = loadA(z, tileRow + row, k0 + kk);
        }
        // Neighbouring invocations read neighbouring words of B: along n where B's rows are
        // contiguous (weights·V), along k where its columns are (Kᵀ and the weight matrices).
        if (p.bStrideN == 1) {
            for (uint e = local; e < TILE_K * TILE_N; e += threads) {
                const uint kk = e / TILE_N;
                const uint col = e - kk * TILE_N;
                tileB[kk][col] = loadB(z, k0 + kk, tileCol + col);
            }
        } else {
            for (uint e = local; e < TILE_K * TILE_N; e += threads) {
                const uint col = e / TILE_K;
                const uint kk = e - col * TILE_K;
                tileB[kk][col] = loadB(z, k0 + kk, tileCol + col);
            }
        }
        barrier();
        for (uint kk = 0; kk < TILE_K; ++kk) {
            float av[REG_M];
            float bv[REG_N];
            for (uint i = 0; i < REG_M; ++i)
                av[i] = tileA[kk][ty + i * WG_Y];
            for (uint j = 0; j < REG_N; ++j)
                bv[j] = tileB[kk][tx + j * WG_X];
            for (uint i = 0; i < REG_M; ++i)
                for (uint j = 0; j < REG_N; ++j)
                    acc[i][j] += av[i] * bv[j];
        }
        barrier();
    }

    for (uint i = 0; i < REG_M; ++i) {
        const uint m = tileRow + ty + i * WG_Y;
        if (m >= p.M)
            continue;
        for (uint j = 0; j < REG_N; ++j) {
            const uint n = tileCol + tx + j * WG_X;
            if (n >= p.N)
                continue;
            float value = p.alpha * acc[i][j];
            if (p.hasBias != 0)
                value += bias[p.biasOffset + z * p.biasBatchStride + n];
            c[p.cOffset + z * p.cBatchStride + m * p.cStrideM + n] = value;
        }
    }
}
