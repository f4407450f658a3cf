// One checked call: VK_CHECK(vkSomething(...)) turns a failed VkResult into a
// BackendFailure naming the call, the result and file:line, so the engine falls back to
// BLAS and says why. A lost device gets its own type: the backend must then drop its
// device and make a new one before the next request.
#pragma once

#include "api.h"

#include "attn/backend.h"

namespace attn::vulkan {

class DeviceLost : public BackendFailure {
public:
    using BackendFailure::BackendFailure;
};

const char* resultName(VkResult result);

// Throws DeviceLost for VK_ERROR_DEVICE_LOST and BackendFailure for any other negative
// result; returns the (non-negative) result otherwise.
VkResult check(VkResult result, const char* call, const char* file, int line);

} // namespace attn::vulkan

#define VK_CHECK(call) ::attn::vulkan::check((call), #call, __FILE__, __LINE__)
// For a result obtained beforehand (where a fault may be injected instead of the call):
// VK_CHECK_RESULT(result, "vkAllocateMemory").
#define VK_CHECK_RESULT(result, callName) ::attn::vulkan::check((result), callName, __FILE__, __LINE__)
