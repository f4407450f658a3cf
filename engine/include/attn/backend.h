// The seam between the engine and the arithmetic. Every backend fills the same trace
// fields and must agree with the reference within float32 tolerance.
#pragma once

#include "attn/cancelled.h"
#include "attn/error.h"
#include "attn/tensor.h"
#include "attn/trace.h"
#include "attn/weights.h"

#include <atomic>
#include <exception>
#include <memory>
#include <string>

namespace attn {

struct AttentionProblem {
    const Tensor& queriesFrom;   // X of the queries [n_q x d_model]
    const Tensor& keysFrom;      // X of keys and values [n_k x d_model]; the same object for self-attention
    const LayerWeights& weights;
    bool causal = false;         // query i sees keys 0..i only
    float scoreScale = 1.0f;     // multiplies QKᵀ: 1/√d_k and 1/T, see Config::scoreScale
    const std::atomic<bool>* stop = nullptr; // set: give up at the next step, see Cancelled

    bool stopped() const { return stop && stop->load(std::memory_order_relaxed); }
    void throwIfStopped() const { attn::throwIfStopped(stop); }
};

// A backend that cannot run this request (no device, out of memory, device lost...).
// The engine answers it by running BLAS instead and reporting the reason.
class BackendFailure : public Error {
public:
    using Error::Error;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string name() const = 0;
    // Fills trace.q, k, v, scores, weights, heads and output; may set trace.gpuMs.
    virtual void forward(const AttentionProblem& problem, Trace& trace) = 0;
};

std::unique_ptr<Backend> makeReferenceBackend();
std::unique_ptr<Backend> makeBlasBackend();

} // namespace attn
