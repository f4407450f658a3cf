// Workgroup-wide reductions through shared memory, for one-dimensional workgroups of
// any size. Every invocation of the workgroup must call them.
#ifndef ATTN_REDUCE_GLSL
#define ATTN_REDUCE_GLSL

const uint WORKGROUP = gl_WorkGroupSize.x;
// A macro: uintBitsToFloat is not a constant expression in GLSL 450.
#define NEGATIVE_INFINITY uintBitsToFloat(0xff800000u)

// Sized by a plain constant, not by the specialized workgroup size: Mesa 22.3's lavapipe
// gave an array of WORKGROUP floats the size of an unspecialized workgroup (one float),
// and the reductions wrote past it into the heap (valgrind with LP_NUM_THREADS=0).
shared float reduceScratch[REDUCE_WORKGROUP_MOST];

// Each invocation leaves its value in shared memory; after one barrier every invocation
// folds all of them in the same order, so all get the same result with two barriers per
// reduction (a tree needs log2(size) of them, which costs more than the extra reads at
// the workgroup sizes used here).
float reduceMax(float value)
{
    reduceScratch[gl_LocalInvocationID.x] = value;
    barrier();
    float result = reduceScratch[0];
    for (uint i = 1; i < WORKGROUP; ++i)
        result = max(result, reduceScratch[i]);
    barrier(); // the scratch is reused by the next reduction
    return result;
}

float reduceSum(float value)
{
    reduceScratch[gl_LocalInvocationID.x] = value;
    barrier();
    float result = reduceScratch[0];
    for (uint i = 1; i < WORKGROUP; ++i)
        result += reduceScratch[i];
    barrier();
    return result;
}

#endif
