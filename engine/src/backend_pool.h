// The backends that an engine or a model session has made, and the one way a forward
// pass falls back to BLAS when the backend asked for fails.
#pragma once

#include "attn/backend.h"
#include "attn/backend_choice.h"

#include <map>
#include <memory>
#include <string>

namespace attn {

class BackendPool {
public:
    // Runs the problem on `wanted`; where that fails (BackendFailure: no Vulkan device, out
    // of memory, device lost...), or failed earlier in this pass (`fallbackReason` is not
    // empty: a model's later layers), on BLAS. Fills the trace's backend, and on a fall
    // back its reason; the reason is kept in `fallbackReason` for the layers after.
    void forward(BackendKind wanted, const AttentionProblem& problem, Trace& t, std::string& fallbackReason);

private:
    // Each made once and kept: a Vulkan device and its pipelines are costly to make.
    Backend& backend(BackendKind kind);

    std::map<BackendKind, std::unique_ptr<Backend>> m_backends;
};

} // namespace attn
