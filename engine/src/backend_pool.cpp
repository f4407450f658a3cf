#include "backend_pool.h"

#include <chrono>

namespace attn {

namespace {

// The trace's time is the pass of the backend that made its numbers: neither making a
// backend (a Vulkan device and its pipelines, once) nor a failed attempt before a fall back.
void timedForward(Backend& backend, const AttentionProblem& problem, Trace& t)
{
    const auto started = std::chrono::steady_clock::now();
    backend.forward(problem, t);
    t.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    t.backend = backend.name();
}

} // namespace

void BackendPool::forward(BackendKind wanted, const AttentionProblem& problem, Trace& t, std::string& fallbackReason)
{
    if (fallbackReason.empty()) {
        try {
            timedForward(backend(wanted), problem, t);
            return;
        } catch (const BackendFailure& failure) {
            fallbackReason = toString(wanted) + " failed: " + failure.what();
        }
    }
    t.fallbackReason = fallbackReason;
    t.gpuMs = -1.0;
    timedForward(backend(BackendKind::Blas), problem, t);
}

Backend& BackendPool::backend(BackendKind kind)
{
    auto& slot = m_backends[kind];
    if (!slot)
        slot = makeBackend(kind); // may throw BackendFailure (no Vulkan device...)
    return *slot;
}

} // namespace attn
