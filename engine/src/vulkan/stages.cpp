#include "stages.h"

#include "check.h"
#include "faults.h"

#include <string>

namespace attn::vulkan {

namespace {

Owned<VkCommandPool> makePool(const Context& context, std::uint32_t family)
{
    const Api& api = context.api();
    const VkDevice device = context.device();
    VkCommandPoolCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    info.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT; // reset whole before each request
    info.queueFamilyIndex = family;
    VkCommandPool pool = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateCommandPool(device, &info, nullptr, &pool));
    return Owned<VkCommandPool>(pool, [&api, device](VkCommandPool p) { api.vkDestroyCommandPool(device, p, nullptr); });
}

} // namespace

Stages::Stages(const Context& context)
    : m_context(context),
      m_computePool(makePool(context, context.queueFamily())),
      m_copyPool(makePool(context, context.copyQueueFamily()))
{
    const Api& api = context.api();
    const VkDevice device = context.device();
    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VkFence fence = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateFence(device, &fenceInfo, nullptr, &fence));
    m_fence = Owned<VkFence>(fence, [&api, device](VkFence f) { api.vkDestroyFence(device, f, nullptr); });
}

void Stages::prepare(std::size_t count, const Reuse& reuse)
{
    const Api& api = m_context.api();
    const VkDevice device = m_context.device();
    VK_CHECK(api.vkResetCommandPool(device, m_computePool.get(), 0));
    VK_CHECK(api.vkResetCommandPool(device, m_copyPool.get(), 0));
    const auto grow = [&](VkCommandPool pool, std::vector<VkCommandBuffer>& commands, std::size_t wanted) {
        if (commands.size() >= wanted)
            return;
        VkCommandBufferAllocateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        info.commandPool = pool;
        info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        info.commandBufferCount = std::uint32_t(wanted - commands.size());
        std::vector<VkCommandBuffer> more(info.commandBufferCount);
        VK_CHECK(api.vkAllocateCommandBuffers(device, &info, more.data()));
        commands.insert(commands.end(), more.begin(), more.end());
    };
    grow(m_computePool.get(), m_compute, count + 1); // and finish()
    grow(m_copyPool.get(), m_copy, count);
    for (auto* semaphores : {&m_computed, &m_copied}) {
        while (semaphores->size() < count) {
            VkSemaphoreCreateInfo info{};
            info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
            VkSemaphore semaphore = VK_NULL_HANDLE;
            VK_CHECK(api.vkCreateSemaphore(device, &info, nullptr, &semaphore));
            semaphores->emplace_back(semaphore, [&api, device](VkSemaphore s) { api.vkDestroySemaphore(device, s, nullptr); });
        }
    }
    const VkFence fence = m_fence.get();
    VK_CHECK(api.vkResetFences(device, 1, &fence));
    m_count = count;
    m_reuse = reuse;
    m_submissions = 0;
}

void Stages::submitOne(VkQueue queue, VkCommandBuffer commands, VkSemaphore wait, VkPipelineStageFlags waitStage,
                       VkSemaphore signal, VkFence done)
{
    VkSubmitInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    info.waitSemaphoreCount = wait != VK_NULL_HANDLE ? 1 : 0;
    info.pWaitSemaphores = &wait;
    info.pWaitDstStageMask = &waitStage;
    info.commandBufferCount = 1;
    info.pCommandBuffers = &commands;
    info.signalSemaphoreCount = signal != VK_NULL_HANDLE ? 1 : 0;
    info.pSignalSemaphores = &signal;
    const bool fail = faultInjected(Fault::Submit) && m_submissions++ == 3;
    VK_CHECK_RESULT(fail ? VK_ERROR_OUT_OF_DEVICE_MEMORY : m_context.api().vkQueueSubmit(queue, 1, &info, done),
                    "vkQueueSubmit");
}

void Stages::submit(std::size_t stage)
{
    // In stage order, so that every semaphore is signalled by an earlier submission than the
    // one that waits for it (binary semaphores need that). A copy stage signals only where
    // someone waits, so that no semaphore stays signalled into the next request.
    const auto waits = [this](std::size_t s) { return s >= m_reuse.firstWaiting && s <= m_reuse.lastWaiting; };
    submitOne(m_context.queue(), m_compute[stage], waits(stage) ? m_copied[stage - m_reuse.distance].get() : VK_NULL_HANDLE,
              VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, m_computed[stage].get(), VK_NULL_HANDLE);
    const bool awaited = stage == m_count - 1 || waits(stage + m_reuse.distance);
    submitOne(m_context.copyQueue(), m_copy[stage], m_computed[stage].get(), VK_PIPELINE_STAGE_TRANSFER_BIT,
              awaited ? m_copied[stage].get() : VK_NULL_HANDLE, VK_NULL_HANDLE);
}

void Stages::finishAndWait()
{
    const Api& api = m_context.api();
    const VkFence fence = m_fence.get();
    submitOne(m_context.queue(), finish(), m_copied[m_count - 1].get(), VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_NULL_HANDLE,
              fence);
    VkResult waited = api.vkWaitForFences(m_context.device(), 1, &fence, VK_TRUE, ~std::uint64_t(0));
    if (faultInjected(Fault::DeviceLost)) // the work did run; the device "dies" on the wait
        waited = VK_ERROR_DEVICE_LOST;
    VK_CHECK_RESULT(waited, "vkWaitForFences");
    if (waited != VK_SUCCESS) // VK_TIMEOUT cannot happen without a timeout, but stay honest
        throw BackendFailure(std::string("vkWaitForFences returned ") + resultName(waited) + ".");
}

void Stages::abandon()
{
    m_context.api().vkDeviceWaitIdle(m_context.device());
    m_computed.clear();
    m_copied.clear();
}

} // namespace attn::vulkan
