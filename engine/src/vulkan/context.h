// The Vulkan instance, the chosen physical device, its logical device, one compute queue
// and one copy queue: everything the backend needs before it can make buffers and pipelines.
#pragma once

#include "api.h"
#include "owned.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace attn::vulkan {

// A headless instance, with the Khronos validation layer and a debug messenger when
// ATTN_VULKAN_VALIDATION=1 and the layer is installed.
class Instance {
public:
    Instance(Api& api, bool allowValidation);
    VkInstance get() const { return m_instance.get(); }
    std::vector<VkPhysicalDevice> physicalDevices() const;

private:
    Api& m_api;
    Owned<VkInstance> m_instance;
    Owned<VkDebugUtilsMessengerEXT> m_messenger;
};

class Context {
public:
    // Throws BackendFailure when there is no loader, no device or no compute queue.
    Context();
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    Api& api() const { return *m_api; }
    VkDevice device() const { return m_device.get(); }
    VkQueue queue() const { return m_queue; }
    std::uint32_t queueFamily() const { return m_families[0]; }
    // Where results are copied home: a transfer-only queue (a DMA engine that runs beside
    // the shaders) where the device has one, else the compute queue itself.
    VkQueue copyQueue() const { return m_copyQueue; }
    std::uint32_t copyQueueFamily() const { return m_families[1]; }
    // Lets both queues use a buffer without ownership transfers.
    void shareBetweenQueues(VkBufferCreateInfo& info) const;
    const VkPhysicalDeviceProperties& properties() const { return m_properties; }
    const VkPhysicalDeviceLimits& limits() const { return m_properties.limits; }

    // The index of a memory type allowed by typeBits with every `required` flag, preferring
    // one that also has the `preferred` flags. Throws BackendFailure when none fits.
    std::uint32_t memoryType(std::uint32_t typeBits, VkMemoryPropertyFlags required,
                             VkMemoryPropertyFlags preferred) const;
    // The same, or nothing where no type fits.
    std::optional<std::uint32_t> findMemoryType(std::uint32_t typeBits, VkMemoryPropertyFlags required,
                                                VkMemoryPropertyFlags preferred) const;

    // The alignment of host memory the device can import (pointer and size), or 0 where it
    // has no VK_EXT_external_memory_host.
    VkDeviceSize hostImportAlignment() const { return m_hostImportAlignment; }

    // The subgroup size, and whether compute shaders have subgroup arithmetic (subgroupAdd,
    // subgroupMax; Vulkan 1.1), which the softmax needs.
    std::uint32_t subgroupSize() const { return m_subgroupSize; }
    bool subgroupArithmetic() const { return m_subgroupArithmetic; }

    // Timestamp queries on the compute queue: valid bits (0: unsupported) and ns per tick.
    std::uint32_t timestampValidBits() const { return m_timestampValidBits; }
    double timestampPeriodNs() const { return double(m_properties.limits.timestampPeriod); }

private:
    std::unique_ptr<Api> m_api;
    std::unique_ptr<Instance> m_instance;
    VkPhysicalDevice m_physical = VK_NULL_HANDLE;
    VkPhysicalDeviceProperties m_properties{};
    VkPhysicalDeviceMemoryProperties m_memory{};
    std::uint32_t m_timestampValidBits = 0;
    VkDeviceSize m_hostImportAlignment = 0;
    std::uint32_t m_subgroupSize = 0;
    bool m_subgroupArithmetic = false;
    Owned<VkDevice> m_device;
    VkQueue m_queue = VK_NULL_HANDLE;
    VkQueue m_copyQueue = VK_NULL_HANDLE;
    std::array<std::uint32_t, 2> m_families{}; // compute, copy (the same where no transfer-only family)
};

// Whether the Vulkan loader finds the Khronos validation layer (installed, or on VK_LAYER_PATH).
bool validationLayerAvailable();

// Whether a device of this type makes `auto` choose Vulkan: a discrete or integrated GPU,
// not a virtual one nor a CPU driver such as lavapipe (BLAS is faster on the same CPU).
bool countsAsHardwareGpu(VkPhysicalDeviceType type);

// Whether a discrete or integrated GPU with Vulkan is present. Asked once per process
// (a cheap probe: an instance and a device list, no device); CPU drivers such as
// lavapipe do not count.
bool hardwareGpuPresent();

} // namespace attn::vulkan
