#version 450
// weights = softmax(mask(scale · scores)) row by row, one subgroup per row.
// scale folds 1/√d_k and 1/temperature together (Config::scoreScale). With causal set,
// query i sees keys 0..i; masked weights are exactly 0. Numerically stable: the row
// maximum is subtracted before exp.
//
// A subgroup reduces its row with subgroupMax and subgroupAdd, with no shared memory and
// no barriers: the workgroup-wide reductions these replaced made the softmax take longer
// than both products around it together (4.2 ms of a 14.7 ms pass on an H200). The host
// sizes the workgroup as a multiple of the subgroup size, so every subgroup is full.

#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

layout(local_size_x_id = 0) in;

layout(std430, set = 0, binding = 0) readonly buffer Scores { float scores[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Weights { float weights[]; };

// Mirrored by attn::vulkan::SoftmaxParams.
layout(push_constant) uniform Params {
    uint rows;    // heads x queries
    uint queries; // row r is query r % queries
    uint keys;
    uint causal;
    float scale;
} p;

void main()
{
    const uint lanes = gl_SubgroupSize;
    const uint lane = gl_SubgroupInvocationID;
    // Rows may outnumber the subgroups of one dispatch: each subgroup strides over them.
    const uint rowStride = gl_NumWorkGroups.x * gl_NumSubgroups;
    for (uint row = gl_WorkGroupID.x * gl_NumSubgroups + gl_SubgroupID; row < p.rows; row += rowStride) {
        const uint query = row % p.queries;
        const uint visible = p.causal != 0 ? min(p.keys, query + 1) : p.keys;
        const uint base = row * p.keys;

        float largest = uintBitsToFloat(0xff800000u); // -infinity
        for (uint j = lane; j < visible; j += lanes)
            largest = max(largest, scores[base + j] * p.scale);
        largest = subgroupMax(largest);

        float sum = 0.0;
        for (uint j = lane; j < visible; j += lanes)
            sum += exp(scores[base + j] * p.scale - largest);
        sum = subgroupAdd(sum);

        // A row with every key masked attends to nothing (cannot happen for causal rows,
        // which always see key 0, but costs nothing to keep finite).
        const float inverse = visible > 0 ? 1.0 / sum : 0.0;
        for (uint j = lane; j < visible; j += lanes)
            weights[base + j] = exp(scores[base + j] * p.scale - largest) * inverse;
        for (uint j = visible + lane; j < p.keys; j += lanes)
            weights[base + j] = 0.0;
    }
}
