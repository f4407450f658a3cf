// A storage or staging buffer with its own memory that grows when a request needs more
// and otherwise stays, so that typing one more token does not reallocate.
#pragma once

#include "context.h"
#include "owned.h"

namespace attn::vulkan {

enum class Residence {
    Device,   // read and written by shaders; device-local where the device has such memory
    Upload,   // host writes, transfers read
    Download, // transfers write, host reads (cached where possible)
};

class GpuBuffer {
public:
    GpuBuffer(const Context& context, Residence residence, VkDeviceSize largest);

    // Makes room for `bytes`; the contents are not kept when it grows. Growth leaves
    // headroom (up to `largest`) so that a slowly growing request grows rarely.
    // Throws BackendFailure (out of memory...) and leaves the buffer empty then.
    void reserve(VkDeviceSize bytes);

    VkBuffer handle() const { return m_buffer.get(); }
    VkDeviceSize capacity() const { return m_capacity; }
    // The mapped memory of Upload and Download buffers; null for Device buffers.
    void* mapped() const { return m_mapped; }

private:
    const Context& m_context;
    Residence m_residence;
    VkDeviceSize m_largest;
    VkDeviceSize m_capacity = 0;
    Owned<VkDeviceMemory> m_memory;
    Owned<VkBuffer> m_buffer;
    void* m_mapped = nullptr;
};

} // namespace attn::vulkan
