// The Vulkan functions the backend calls, loaded at run time from libvulkan.so.1 with
// dlopen + vkGetInstanceProcAddr, so that a machine without a Vulkan loader still runs
// the program (on BLAS) instead of failing to start.
#pragma once

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

namespace attn::vulkan {

#define ATTN_VK_GLOBAL_FUNCTIONS(X) \
    X(vkCreateInstance)             \
    X(vkEnumerateInstanceLayerProperties)

#define ATTN_VK_INSTANCE_FUNCTIONS(X)            \
    X(vkDestroyInstance)                         \
    X(vkEnumeratePhysicalDevices)                \
    X(vkGetPhysicalDeviceProperties)             \
    X(vkGetPhysicalDeviceQueueFamilyProperties)  \
    X(vkGetPhysicalDeviceMemoryProperties)       \
    X(vkGetPhysicalDeviceProperties2)            \
    X(vkEnumerateDeviceExtensionProperties)      \
    X(vkGetPhysicalDeviceExternalBufferProperties) \
    X(vkCreateDevice)                            \
    X(vkGetDeviceProcAddr)

// Present only when VK_EXT_debug_utils is enabled.
#define ATTN_VK_DEBUG_FUNCTIONS(X)       \
    X(vkCreateDebugUtilsMessengerEXT)    \
    X(vkDestroyDebugUtilsMessengerEXT)

// Present only when VK_EXT_external_memory_host is enabled.
#define ATTN_VK_HOST_IMPORT_FUNCTIONS(X) \
    X(vkGetMemoryHostPointerPropertiesEXT)

#define ATTN_VK_DEVICE_FUNCTIONS(X)     \
    X(vkDestroyDevice)                  \
    X(vkDeviceWaitIdle)                 \
    X(vkGetDeviceQueue)                 \
    X(vkQueueSubmit)                    \
    X(vkCreateBuffer)                   \
    X(vkDestroyBuffer)                  \
    X(vkGetBufferMemoryRequirements)    \
    X(vkAllocateMemory)                 \
    X(vkFreeMemory)                     \
    X(vkBindBufferMemory)               \
    X(vkMapMemory)                      \
    X(vkUnmapMemory)                    \
    X(vkCreateShaderModule)             \
    X(vkDestroyShaderModule)            \
    X(vkCreateDescriptorSetLayout)      \
    X(vkDestroyDescriptorSetLayout)     \
    X(vkCreatePipelineLayout)           \
    X(vkDestroyPipelineLayout)          \
    X(vkCreateComputePipelines)         \
    X(vkDestroyPipeline)                \
    X(vkCreateDescriptorPool)           \
    X(vkDestroyDescriptorPool)          \
    X(vkAllocateDescriptorSets)         \
    X(vkUpdateDescriptorSets)           \
    X(vkCreateCommandPool)              \
    X(vkDestroyCommandPool)             \
    X(vkAllocateCommandBuffers)         \
    X(vkBeginCommandBuffer)             \
    X(vkEndCommandBuffer)               \
    X(vkCmdBindPipeline)                \
    X(vkCmdBindDescriptorSets)          \
    X(vkCmdPushConstants)               \
    X(vkCmdDispatch)                    \
    X(vkCmdPipelineBarrier)             \
    X(vkCmdCopyBuffer)                  \
    X(vkCmdWriteTimestamp)              \
    X(vkCmdResetQueryPool)              \
    X(vkCreateQueryPool)                \
    X(vkDestroyQueryPool)               \
    X(vkGetQueryPoolResults)            \
    X(vkCreateSemaphore)                \
    X(vkDestroySemaphore)               \
    X(vkResetCommandPool)               \
    X(vkCreateFence)                    \
    X(vkDestroyFence)                   \
    X(vkResetFences)                    \
    X(vkWaitForFences)

// The loader and its function table. Move-only; unloads the library when destroyed, so it
// must outlive every Vulkan object made through it.
class Api {
public:
    // Throws BackendFailure when libvulkan.so.1 or its entry point is missing.
    Api();
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    void loadInstance(VkInstance instance, bool debugUtils);
    void loadDevice(VkDevice device, bool hostImport);

    PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;
#define ATTN_VK_DECLARE(name) PFN_##name name = nullptr;
    ATTN_VK_GLOBAL_FUNCTIONS(ATTN_VK_DECLARE)
    ATTN_VK_INSTANCE_FUNCTIONS(ATTN_VK_DECLARE)
    ATTN_VK_DEBUG_FUNCTIONS(ATTN_VK_DECLARE)
    ATTN_VK_DEVICE_FUNCTIONS(ATTN_VK_DECLARE)
    ATTN_VK_HOST_IMPORT_FUNCTIONS(ATTN_VK_DECLARE)
#undef ATTN_VK_DECLARE

private:
    void* m_library = nullptr;
};

} // namespace attn::vulkan
