// The forward pass of a whole model, shared by runModel and ModelSession.
#pragma once

#include "attn/backend.h"
#include "attn/model/model.h"
#include "attn/model/model_session.h"
#include "attn/model/model_trace.h"

#include <functional>

namespace attn {

// Buffers a forward pass needs between the attention layers. A session keeps them, so
// that repeated passes and appends allocate (and page-fault) nothing.
struct ForwardWorkspace {
    Tensor residual; // [m x d_model] the residual stream of the computed rows
    Tensor normed;   // [m x d_model] GPT-2's ln_2 of it
    Tensor inner;    // [m x d_ff] the MLP's hidden layer
    Tensor scores;   // one layer's raw scores when the trace does not keep them
};

// Runs one attention layer on the session's backend (with its BLAS fallback).
using AttendFn = std::function<void(const AttentionProblem&, Trace&)>;

struct ForwardRequest {
    const Model& model;
    const Encoding& encoding;
    const ModelRunOptions& options;
    AttendFn attend;
    // Rows [0, from) are copied from `previous` (same ids there); rows [from, n) are computed.
    // from > 0 only for causal models; the attention of the new rows then uses the cached keys
    // and values of `previous` instead of `attend`.
    std::size_t from = 0;
    const ModelTrace* previous = nullptr;
    // Rows [0, inPlace) (inPlace <= from) are in `out` already, at the same n: it is the
    // storage of an earlier trace of as many tokens, whose text starts with the same
    // inPlace tokens. Only rows [inPlace, from) are copied from `previous`.
    std::size_t inPlace = 0;
    ForwardWorkspace& workspace;
};

// `out` may be an earlier trace nobody holds any more: its tensors' storage is written over.
void forwardModel(const ForwardRequest& request, ModelTrace& out);

// Bytes the trace of n tokens holds; used to refuse inputs above Limits::maxTraceBytes.
std::uint64_t modelTraceBytes(const ModelConfig& config, std::uint64_t n, bool keepScores);

} // namespace attn
