// Host memory lent to the GPU (VK_EXT_external_memory_host), so that a transfer writes
// results straight into a trace tensor's own storage. Without it they come through a
// staging buffer and the host copies them out: at 2048 tokens and 12 heads that copy is
// 402 MB of scores and weights, longer than the GPU's whole pass.
#pragma once

#include "context.h"
#include "owned.h"

#include "attn/tensor.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace attn::vulkan {

class ImportedHostBuffer {
public:
    // A transfer source and destination over [host, host + bytes), or null where the device cannot
    // import it: no VK_EXT_external_memory_host, a pointer or size off the device's
    // alignment, or an import the driver refuses. The memory must stay allocated, and is
    // pinned, until the buffer is destroyed.
    // The GPU writes through it only where the caller records a write.
    static std::unique_ptr<ImportedHostBuffer> import(const Context& context, const void* host, VkDeviceSize bytes);

    VkBuffer handle() const { return m_buffer.get(); }

private:
    ImportedHostBuffer() = default;

    Owned<VkDeviceMemory> m_memory;
    Owned<VkBuffer> m_buffer;
};

// The tensor storage a session has imported, kept across requests. A live session computes
// into the same recycled storage request after request, and importing pins the pages:
// 402 MB took longer to import on an H200's host than to copy. So a block is imported the
// second time a request borrows it, and kept until it is freed (the allocator tells us on
// the freeing thread, while the block is still mapped), until the session closes, or,
// least recently used first, while the imports exceed a quarter of the machine's memory.
class HostImports final : public zeroed::FreeWatcher, public std::enable_shared_from_this<HostImports> {
public:
    explicit HostImports(const Context& context);

    // Starts a request: the imports it borrows are kept at least until the next one starts.
    void startRequest();
    // A transfer source and destination over the whole of the tensor's storage (results are
    // written into it, inputs read from it), or VK_NULL_HANDLE where
    // it is not imported (seen for the first time, a block carved from the heap, no
    // VK_EXT_external_memory_host, ...): the staging buffer is the way then.
    VkBuffer borrow(const Tensor& tensor);
    // Lets go of everything; call once the device is idle, before the context goes.
    void close();

    void blockFreed(const void* block) noexcept override;

private:
    struct Import {
        std::unique_ptr<ImportedHostBuffer> buffer;
        std::uint64_t bytes = 0;
        std::uint64_t lastRequest = 0;
    };

    void evictOverCap(); // with m_mutex held
    void forgetSeen();   // with m_mutex held

    static constexpr std::size_t kMostRemembered = 1024; // blocks seen once, forgotten when more

    const Context& m_context;
    const std::uint64_t m_cap;
    // Freeing threads call in; the lock is taken before the allocator's own, never after.
    std::mutex m_mutex;
    std::unordered_map<const void*, Import> m_imports; // by block
    std::unordered_set<const void*> m_seenOnce;        // borrowed once, watched, not imported
    std::uint64_t m_bytes = 0;
    std::uint64_t m_request = 0;
};

// Tests only: how many blocks all sessions have imported in this process so far, and a
// cap on each session's imports in bytes (0: a quarter of the machine's memory).
std::uint64_t hostImportsForTesting();
void setHostImportCapForTesting(std::uint64_t bytes);

} // namespace attn::vulkan
