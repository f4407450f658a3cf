// The stages of one request and the order they run in. Stage k records work for the
// compute queue (compute(k)) and for the copy queue (copy(k)); copy(k) starts once
// compute(k) is done, and compute(k) may first wait for an earlier copy stage whose buffers
// it overwrites. Each stage is submitted as soon as it is recorded. A last compute command
// buffer (finish()) runs once every copy is done and signals the fence the host waits for.
// Where the device has no transfer-only queue, both kinds of stage run on the compute
// queue, in the same order, with the same semaphores.
#pragma once

#include "context.h"
#include "owned.h"

#include <cstddef>
#include <vector>

namespace attn::vulkan {

class Stages {
public:
    explicit Stages(const Context& context);

    // Compute stages firstWaiting..lastWaiting each wait for the copy stage `distance`
    // before them, whose buffers they overwrite.
    struct Reuse {
        std::size_t distance = 0, firstWaiting = 1, lastWaiting = 0;
    };
    // Room for `count` stages, every command buffer reset. Nothing may be pending: the last
    // request waited for its fence, or for the device.
    void prepare(std::size_t count, const Reuse& reuse);
    VkCommandBuffer compute(std::size_t stage) const { return m_compute[stage]; }
    VkCommandBuffer copy(std::size_t stage) const { return m_copy[stage]; }
    VkCommandBuffer finish() const { return m_compute[m_count]; }

    // Submits a recorded stage, its compute and then its copy work, so that the GPU starts
    // while later stages are recorded. Stages go in order, from 0. Throws BackendFailure.
    void submit(std::size_t stage);
    // Submits finish() once every stage is submitted, and waits until all is done; throws
    // BackendFailure, or DeviceLost.
    void finishAndWait();
    // After a failure with stages submitted: lets the device finish them, and starts the
    // next request with fresh semaphores (some may be signalled with no one to wait).
    void abandon();

private:
    void submitOne(VkQueue queue, VkCommandBuffer commands, VkSemaphore wait, VkPipelineStageFlags waitStage,
                   VkSemaphore signal, VkFence done);

    const Context& m_context;
    Owned<VkCommandPool> m_computePool;
    Owned<VkCommandPool> m_copyPool;
    std::vector<VkCommandBuffer> m_compute; // freed with the pools
    std::vector<VkCommandBuffer> m_copy;
    std::vector<Owned<VkSemaphore>> m_computed; // compute(k) is done
    std::vector<Owned<VkSemaphore>> m_copied;   // copy(k) is done, for whoever waits for it
    Owned<VkFence> m_fence;
    std::size_t m_count = 0;
    Reuse m_reuse;
    std::size_t m_submissions = 0;
};

} // namespace attn::vulkan
