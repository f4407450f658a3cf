#include "backend_pool.h"

namespace attn {

void BackendPool::forward(BackendKind wanted, const AttentionProblem& problem, Trace& t, std::string& fallbackReason)
{
    if (fallbackReason.empty()) {
        try {
            Backend& chosen = backend(wanted);
            chosen.forward(problem, t);
            t.backend = chosen.name();
            return;
        } catch (const BackendFailure& failure) {
            fallbackReason = toString(wanted) + " failed: " + failure.what();
        }
    }
    t.fallbackReason = fallbackReason;
    t.gpuMs = -1.0;
    Backend& blas = backend(BackendKind::Blas);
    blas.forward(problem, t);
    t.backend = blas.name();
}

Backend& BackendPool::backend(BackendKind kind)
{
    auto& slot = m_backends[kind];
    if (!slot)
        slot = makeBackend(kind); // may throw BackendFailure (no Vulkan device...)
    return *slot;
}

} // namespace attn
