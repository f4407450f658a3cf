#version 450
// weights = softmax(mask(scale · scores)) row by row, one workgroup per row.
// scale folds 1/√d_k and 1/temperature together (Config::scoreScale). With causal set,
// query i sees keys 0..i; masked weights are exactly 0. Numerically stable: the row
// maximum (a shared-memory reduction from -inf) is subtracted before exp.

#extension GL_GOOGLE_include_directive : require
#include "reduce.glsl"

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
    // Rows may exceed one dispatch dimension's limit, so the grid is two-dimensional.
    const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows)
        return; // whole workgroup leaves together, before any barrier

    const uint lane = gl_LocalInvocationID.x;
    const uint query = row % p.queries;
    const uint visible = p.causal != 0 ? min(p.keys, query + 1) : p.keys;
    const uint base = row * p.keys;

    float largest = NEGATIVE_INFINITY;
    for (uint j = lane; j < visible; j += WORKGROUP)
        largest = max(largest, scores[base + j] * p.scale);
    largest = reduceMax(largest);

    float sum = 0.0;
    for (uint j = lane; j < visible; j += WORKGROUP)
        sum += exp(scores[base + j] * p.scale - largest);
    sum = reduceSum(sum);

    // A row with every key masked attends to nothing (cannot happen for causal rows,
    // which always see key 0, but costs nothing to keep finite).
    const float inverse = visible > 0 ? 1.0 / sum : 0.0;
    for (uint j = lane; j < visible; j += WORKGROUP)
        weights[base + j] = exp(scores[base + j] * p.scale - largest) * inverse;
    for (uint j = visible + lane; j < p.keys; j += WORKGROUP)
        weights[base + j] = 0.0;
}
