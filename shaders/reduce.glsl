// Workgroup-wide reductions through shared memory, for one-dimensional workgroups of
// any size (not only powers of two). Every invocation of the workgroup must call them.
#ifndef ATTN_REDUCE_GLSL
#define ATTN_REDUCE_GLSL

const uint WORKGROUP = gl_WorkGroupSize.x;
// A macro: uintBitsToFloat is not a constant expression in GLSL 450.
#define NEGATIVE_INFINITY uintBitsToFloat(0xff800000u)

shared float reduceScratch[WORKGROUP];

float reduceMax(float value)
{
    const uint lane = gl_LocalInvocationID.x;
    reduceScratch[lane] = value;
    barrier();
    for (uint stride = 1; stride < WORKGROUP; stride *= 2) {
        if (lane % (2 * stride) == 0 && lane + stride < WORKGROUP)
            reduceScratch[lane] = max(reduceScratch[lane], reduceScratch[lane + stride]);
        barrier();
    }
    const float result = reduceScratch[0];
    barrier(); // the scratch is reused by the next reduction
    return result;
}

float reduceSum(float value)
{
    const uint lane = gl_LocalInvocationID.x;
    reduceScratch[lane] = value;
    barrier();
    for (uint stride = 1; stride < WORKGROUP; stride *= 2) {
        if (lane % (2 * stride) == 0 && lane + stride < WORKGROUP)
            reduceScratch[lane] = reduceScratch[lane] + reduceScratch[lane + stride];
        barrier();
    }
    const float result = reduceScratch[0];
    barrier();
    return result;
}

#endif
