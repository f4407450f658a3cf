#include "buffer.h"

#include "check.h"
#include "faults.h"

#include <algorithm>

namespace attn::vulkan {

namespace {

// Small enough to waste nothing, large enough that an absent bias still has a buffer.
constexpr VkDeviceSize kSmallest = 256;

} // namespace

GpuBuffer::GpuBuffer(const Context& context, Residence residence, VkDeviceSize largest)
    : m_context(context), m_residence(residence), m_largest(largest)
{
}

void GpuBuffer::reserve(VkDeviceSize bytes)
{
    bytes = std::max(bytes, kSmallest);
    if (bytes <= m_capacity)
        return;
    const VkDeviceSize capacity = std::max(bytes, std::min(m_largest, bytes + bytes / 2));

    // Free the old buffer first: peak memory stays at the new size.
    m_buffer.reset();
    m_memory.reset();
    m_mapped = nullptr;
    m_capacity = 0;

    const Api& api = m_context.api();
    const VkDevice device = m_context.device();
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = capacity;
    m_context.shareBetweenQueues(info);
    VkMemoryPropertyFlags required = 0, preferred = 0;
    switch (m_residence) {
    case Residence::Device:
        info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
        preferred = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
        break;
    case Residence::Upload:
        info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        preferred = required;
        break;
    case Residence::Download:
        info.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        preferred = required | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        break;
    }

    VkBuffer buffer = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateBuffer(device, &info, nullptr, &buffer));
    m_buffer = Owned<VkBuffer>(buffer, [&api, device](VkBuffer b) { api.vkDestroyBuffer(device, b, nullptr); });

    VkMemoryRequirements needs;
    api.vkGetBufferMemoryRequirements(device, buffer, &needs);
    VkMemoryAllocateInfo allocation{};
    allocation.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocation.allocationSize = needs.size;
    allocation.memoryTypeIndex = m_context.memoryType(needs.memoryTypeBits, required, preferred);
    VkDeviceMemory memory = VK_NULL_HANDLE;
    const VkResult allocated = faultInjected(Fault::OutOfMemory) ? VK_ERROR_OUT_OF_DEVICE_MEMORY
                                                                 : api.vkAllocateMemory(device, &allocation, nullptr, &memory);
    VK_CHECK_RESULT(allocated, "vkAllocateMemory");
    m_memory = Owned<VkDeviceMemory>(memory, [&api, device](VkDeviceMemory m) { api.vkFreeMemory(device, m, nullptr); });
    VK_CHECK(api.vkBindBufferMemory(device, buffer, memory, 0));
    if (m_residence != Residence::Device)
        VK_CHECK(api.vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, &m_mapped)); // unmapped by vkFreeMemory
    m_capacity = capacity;
}

} // namespace attn::vulkan
