#include "check.h"

#include "faults.h"

#include <string>

namespace attn::vulkan {

const char* resultName(VkResult result)
{
    switch (result) {
#define ATTN_VK_RESULT(name) case name: return #name;
        ATTN_VK_RESULT(VK_SUCCESS)
        ATTN_VK_RESULT(VK_NOT_READY)
        ATTN_VK_RESULT(VK_TIMEOUT)
        ATTN_VK_RESULT(VK_EVENT_SET)
        ATTN_VK_RESULT(VK_EVENT_RESET)
        ATTN_VK_RESULT(VK_INCOMPLETE)
        ATTN_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
        ATTN_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        ATTN_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
        ATTN_VK_RESULT(VK_ERROR_DEVICE_LOST)
        ATTN_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
        ATTN_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
        ATTN_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
        ATTN_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
        ATTN_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
        ATTN_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
        ATTN_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
        ATTN_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
        ATTN_VK_RESULT(VK_ERROR_UNKNOWN)
        ATTN_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
        ATTN_VK_RESULT(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        ATTN_VK_RESULT(VK_ERROR_FRAGMENTATION)
        ATTN_VK_RESULT(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
        ATTN_VK_RESULT(VK_PIPELINE_COMPILE_REQUIRED)
        ATTN_VK_RESULT(VK_ERROR_INVALID_SHADER_NV)
#undef ATTN_VK_RESULT
    default: return "an unknown VkResult";
    }
}

VkResult check(VkResult result, const char* call, const char* file, int line)
{
    if (result >= 0)
        return result;
    std::string where(file);
    if (const auto slash = where.find_last_of('/'); slash != std::string::npos)
        where.erase(0, slash + 1);
    const std::string what = std::string(call) + " returned " + resultName(result) + " (" + where + ":"
                             + std::to_string(line) + ")";
    const std::string injected = injectedFaultNote(); // then the advice for a real failure would mislead
    if (result == VK_ERROR_DEVICE_LOST)
        throw DeviceLost("the GPU was lost (driver reset or crash): " + what
                         + (injected.empty() ? "; it will be reopened on the next request." : injected));
    if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY)
        throw BackendFailure("out of memory: " + what + (injected.empty() ? "; try fewer tokens or heads." : injected));
    throw BackendFailure(what + injected);
}

} // namespace attn::vulkan
