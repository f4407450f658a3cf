#include "host_import.h"

#include "check.h"
#include "faults.h"

#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace attn::vulkan {

namespace {

std::atomic<std::uint64_t> g_imports{0};
std::atomic<std::uint64_t> g_capForTesting{0};

std::uint64_t quarterOfMemory()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES), pageBytes = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && pageBytes > 0 ? std::uint64_t(pages) * std::uint64_t(pageBytes) / 4 : std::uint64_t(1) << 30;
}

// Whether a call of the import succeeded. A lost device is the pass's failure, through
// the checked call (naming the call and its line); any other failure means only that
// this memory cannot be imported, and the pass copies through staging buffers instead.
bool succeeded(VkResult result, const char* call, const char* file, int line)
{
    if (result == VK_ERROR_DEVICE_LOST)
        check(result, call, file, line);
    return result == VK_SUCCESS;
}
#define IMPORT_STEP(call) succeeded((call), #call, __FILE__, __LINE__)

} // namespace

std::unique_ptr<ImportedHostBuffer> ImportedHostBuffer::import(const Context& context, const void* host, VkDeviceSize bytes)
{
    const VkDeviceSize alignment = context.hostImportAlignment();
    if (alignment == 0 || bytes == 0 || reinterpret_cast<std::uintptr_t>(host) % alignment != 0 || bytes % alignment != 0
        || faultInjected(Fault::NoHostImport))
        return nullptr;

    const Api& api = context.api();
    const VkDevice device = context.device();
    constexpr auto handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;

    VkMemoryHostPointerPropertiesEXT pointerProperties{};
    pointerProperties.sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT;
    if (!IMPORT_STEP(api.vkGetMemoryHostPointerPropertiesEXT(device, handleType, host, &pointerProperties)))
        return nullptr;

    std::unique_ptr<ImportedHostBuffer> imported(new ImportedHostBuffer);
    VkExternalMemoryBufferCreateInfo external{};
    external.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO;
    external.handleTypes = handleType;
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.pNext = &external;
    info.size = bytes;
    info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT; // inputs, results
    context.shareBetweenQueues(info);
    VkBuffer buffer = VK_NULL_HANDLE;
    if (!IMPORT_STEP(api.vkCreateBuffer(device, &info, nullptr, &buffer)))
        return nullptr;
    imported->m_buffer = Owned<VkBuffer>(buffer, [&api, device](VkBuffer b) { api.vkDestroyBuffer(device, b, nullptr); });

    VkMemoryRequirements needs;
    api.vkGetBufferMemoryRequirements(device, buffer, &needs);
    const std::uint32_t typeBits = needs.memoryTypeBits & pointerProperties.memoryTypeBits;
    if (typeBits == 0 || needs.size > bytes)
        return nullptr;
    VkImportMemoryHostPointerInfoEXT pointer{};
    pointer.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT;
    pointer.handleType = handleType;
    pointer.pHostPointer = const_cast<void*>(host); // Vulkan's type; written only where the caller copies into it
    VkMemoryAllocateInfo allocation{};
    allocation.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocation.pNext = &pointer;
    allocation.allocationSize = bytes;
    // Coherent, so that the host reads what the transfer wrote through its own pointer
    // after the pass's final barrier, with no invalidation.
    const auto type = context.findMemoryType(typeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                             VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    if (!type)
        return nullptr;
    allocation.memoryTypeIndex = *type;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    if (!IMPORT_STEP(api.vkAllocateMemory(device, &allocation, nullptr, &memory)))
        return nullptr;
    imported->m_memory = Owned<VkDeviceMemory>(memory, [&api, device](VkDeviceMemory m) { api.vkFreeMemory(device, m, nullptr); });
    if (!IMPORT_STEP(api.vkBindBufferMemory(device, buffer, memory, 0)))
        return nullptr;
    return imported;
}

HostImports::HostImports(const Context& context) : m_context(context), m_cap(quarterOfMemory()) {}

void HostImports::startRequest()
{
    const std::lock_guard lock(m_mutex);
    ++m_request;
}

VkBuffer HostImports::borrow(const Tensor& tensor)
{
    const VkDeviceSize alignment = m_context.hostImportAlignment();
    if (tensor.empty() || alignment == 0)
        return VK_NULL_HANDLE;
    // The pages the tensor's capacity covers, rounded to the device's alignment, must all
    // lie in the block's own mapping.
    const std::uint64_t capacityBytes = tensor.data.capacity() * sizeof(float);
    const std::uint64_t bytes = (capacityBytes + alignment - 1) / alignment * alignment;
    if (bytes > zeroed::ownMappingBytes(capacityBytes))
        return VK_NULL_HANDLE;
    const void* block = tensor.ptr();
    {
        const std::lock_guard lock(m_mutex);
        if (const auto found = m_imports.find(block); found != m_imports.end()) {
            found->second.lastRequest = m_request;
            return found->second.buffer->handle();
        }
        // Storage seen once may be a trace's only use of it (the command line, a first
        // request), and pinning costs more than copying once: import it when it comes back.
        // It is watched from the first sighting, so that a new block at the same address
        // counts as new.
        if (!m_seenOnce.count(block)) {
            if (m_seenOnce.size() >= kMostRemembered)
                forgetSeen();
            if (zeroed::watchFree(block, shared_from_this()))
                m_seenOnce.insert(block);
            return VK_NULL_HANDLE;
        }
    }
    // Without the lock: pinning hundreds of MB takes milliseconds, and a thread freeing some
    // other block must not wait for it. This block cannot be freed meanwhile: it belongs to
    // the trace being computed.
    std::unique_ptr<ImportedHostBuffer> buffer = ImportedHostBuffer::import(m_context, tensor.ptr(), bytes);
    if (!buffer)
        return VK_NULL_HANDLE;

    const std::lock_guard lock(m_mutex);
    ++g_imports;
    m_seenOnce.erase(block); // watched since then
    const VkBuffer handle = buffer->handle();
    m_imports.emplace(block, Import{std::move(buffer), bytes, m_request});
    m_bytes += bytes;
    evictOverCap();
    return handle;
}

void HostImports::close()
{
    const std::lock_guard lock(m_mutex);
    for (auto& [block, import] : m_imports) {
        import.buffer.reset(); // while the block is surely mapped: its freeing waits for our lock
        zeroed::unwatchFree(block, *this);
    }
    m_imports.clear();
    m_bytes = 0;
    forgetSeen();
}

void HostImports::forgetSeen()
{
    for (const void* block : m_seenOnce)
        zeroed::unwatchFree(block, *this);
    m_seenOnce.clear();
}

void HostImports::blockFreed(const void* block) noexcept
{
    // Not in use by the GPU: a request reads only its own inputs and writes only into the
    // trace it computes, all of which its caller holds until the request is done. Released
    // outside the lock (unpinning takes
    // a while) but before returning, while the block is still mapped.
    std::unique_ptr<ImportedHostBuffer> released;
    {
        const std::lock_guard lock(m_mutex);
        m_seenOnce.erase(block);
        if (const auto found = m_imports.find(block); found != m_imports.end()) {
            released = std::move(found->second.buffer);
            m_bytes -= found->second.bytes;
            m_imports.erase(found);
        }
    }
}

void HostImports::evictOverCap()
{
    const std::uint64_t cap = g_capForTesting > 0 ? g_capForTesting.load() : m_cap;
    while (m_bytes > cap) {
        auto oldest = m_imports.end();
        for (auto it = m_imports.begin(); it != m_imports.end(); ++it)
            if (it->second.lastRequest < m_request
                && (oldest == m_imports.end() || it->second.lastRequest < oldest->second.lastRequest))
                oldest = it;
        if (oldest == m_imports.end())
            return; // all in use by this request
        oldest->second.buffer.reset(); // first, while the block is surely mapped
        zeroed::unwatchFree(oldest->first, *this);
        m_bytes -= oldest->second.bytes;
        m_imports.erase(oldest);
    }
}

void setHostImportCapForTesting(std::uint64_t bytes)
{
    g_capForTesting = bytes;
}

std::uint64_t hostImportsForTesting()
{
    return g_imports;
}

} // namespace attn::vulkan
