#include "api.h"

#include "check.h"
#include "faults.h"

#include <dlfcn.h>

#include <string>

namespace attn::vulkan {

namespace {

template <typename Function>
Function required(Function loaded, const char* name)
{
    if (!loaded)
        throw BackendFailure(std::string("the Vulkan driver does not provide ") + name
                             + "; update the Vulkan loader and driver.");
    return loaded;
}

} // namespace

Api::Api()
{
    checkFaultName();
    if (faultInjected(Fault::NoLoader))
        throw BackendFailure("the Vulkan loader libvulkan.so.1 could not be loaded" + injectedFaultNote());
    m_library = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!m_library) {
        const char* why = dlerror();
        throw BackendFailure(std::string("the Vulkan loader libvulkan.so.1 could not be loaded (")
                             + (why ? why : "unknown reason") + "); install libvulkan1 and a Vulkan driver.");
    }
    vkGetInstanceProcAddr = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(m_library, "vkGetInstanceProcAddr"));
    if (!vkGetInstanceProcAddr) {
        dlclose(m_library);
        throw BackendFailure("libvulkan.so.1 has no vkGetInstanceProcAddr; reinstall the Vulkan loader.");
    }
#define ATTN_VK_LOAD(name) name = required(reinterpret_cast<PFN_##name>(vkGetInstanceProcAddr(nullptr, #name)), #name);
    try {
        ATTN_VK_GLOBAL_FUNCTIONS(ATTN_VK_LOAD)
    } catch (...) {
        dlclose(m_library);
        throw;
    }
#undef ATTN_VK_LOAD
}

Api::~Api()
{
    if (m_library)
        dlclose(m_library);
}

void Api::loadInstance(VkInstance instance, bool debugUtils)
{
#define ATTN_VK_LOAD(name) name = required(reinterpret_cast<PFN_##name>(vkGetInstanceProcAddr(instance, #name)), #name);
    ATTN_VK_INSTANCE_FUNCTIONS(ATTN_VK_LOAD)
    if (debugUtils) {
        ATTN_VK_DEBUG_FUNCTIONS(ATTN_VK_LOAD)
    }
#undef ATTN_VK_LOAD
}

void Api::loadDevice(VkDevice device, bool hostImport)
{
#define ATTN_VK_LOAD(name) name = required(reinterpret_cast<PFN_##name>(vkGetDeviceProcAddr(device, #name)), #name);
    ATTN_VK_DEVICE_FUNCTIONS(ATTN_VK_LOAD)
    if (hostImport) {
        ATTN_VK_HOST_IMPORT_FUNCTIONS(ATTN_VK_LOAD)
    }
#undef ATTN_VK_LOAD
}

} // namespace attn::vulkan
