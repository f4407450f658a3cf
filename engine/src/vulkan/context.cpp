#include "context.h"

#include "check.h"
#include "faults.h"
#include "validation_log.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>

namespace attn::vulkan {

namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool validationRequested()
{
    const char* value = std::getenv("ATTN_VULKAN_VALIDATION");
    return value && std::strcmp(value, "1") == 0;
}

bool layerInstalled(Api& api, const char* name)
{
    std::uint32_t count = 0;
    if (api.vkEnumerateInstanceLayerProperties(&count, nullptr) < 0)
        return false;
    std::vector<VkLayerProperties> layers(count);
    if (api.vkEnumerateInstanceLayerProperties(&count, layers.data()) < 0)
        return false;
    for (const VkLayerProperties& layer : layers)
        if (std::strcmp(layer.layerName, name) == 0)
            return true;
    return false;
}

VKAPI_ATTR VkBool32 VKAPI_CALL onDebugMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT type,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data, void*)
{
    if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
        const std::string message = data && data->pMessage ? data->pMessage : "(no message)";
        // General messages come from the loader about the machine's setup (a broken driver
        // manifest, say); they are shown but only validation findings count against us.
        const bool finding = type & (VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT);
        std::fprintf(stderr, "Vulkan %s: %s\n", finding ? "validation" : "loader", message.c_str());
        if (finding)
            recordValidationMessage(message);
    }
    return VK_FALSE; // never abort the call
}

VkDebugUtilsMessengerCreateInfoEXT messengerInfo()
{
    VkDebugUtilsMessengerCreateInfoEXT info{};
    info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
    info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
                       | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    info.pfnUserCallback = onDebugMessage;
    return info;
}

// Lower is better: discrete, integrated, virtual, CPU, anything else.
int typeRank(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
    }
}

std::vector<VkQueueFamilyProperties> queueFamilies(Api& api, VkPhysicalDevice device)
{
    std::uint32_t count = 0;
    api.vkGetPhysicalDeviceQueueFamilyProperties(device, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    api.vkGetPhysicalDeviceQueueFamilyProperties(device, &count, families.data());
    return families;
}

std::optional<std::uint32_t> computeQueueFamily(Api& api, VkPhysicalDevice device)
{
    const std::vector<VkQueueFamilyProperties> families = queueFamilies(api, device);
    // Prefer a compute queue without graphics (a dedicated compute engine), then any.
    std::optional<std::uint32_t> any;
    for (std::uint32_t i = 0; i < families.size(); ++i) {
        if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0)
            continue;
        if (!(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
            return i;
        if (!any)
            any = i;
    }
    return any;
}

// A family that copies and does nothing else: its queues feed DMA engines that run while
// the compute queue's shaders do.
std::optional<std::uint32_t> transferOnlyQueueFamily(Api& api, VkPhysicalDevice device)
{
    const std::vector<VkQueueFamilyProperties> families = queueFamilies(api, device);
    for (std::uint32_t i = 0; i < families.size(); ++i) {
        const VkQueueFlags flags = families[i].queueFlags;
        if ((flags & VK_QUEUE_TRANSFER_BIT) && !(flags & (VK_QUEUE_COMPUTE_BIT | VK_QUEUE_GRAPHICS_BIT))
            && families[i].queueCount > 0)
            return i;
    }
    return std::nullopt;
}

bool deviceHasExtension(Api& api, VkPhysicalDevice device, const char* name)
{
    std::uint32_t count = 0;
    if (api.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr) < 0)
        return false;
    std::vector<VkExtensionProperties> extensions(count);
    if (api.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data()) < 0)
        return false;
    for (const VkExtensionProperties& extension : extensions)
        if (std::strcmp(extension.extensionName, name) == 0)
            return true;
    return false;
}

// Whether a transfer destination can be made from imported host memory on its own (not
// only as a dedicated allocation).
bool hostAllocationsImportable(Api& api, VkPhysicalDevice device)
{
    VkPhysicalDeviceExternalBufferInfo info{};
    info.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO;
    info.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    VkExternalBufferProperties properties{};
    properties.sType = VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES;
    api.vkGetPhysicalDeviceExternalBufferProperties(device, &info, &properties);
    const VkExternalMemoryFeatureFlags features = properties.externalMemoryProperties.externalMemoryFeatures;
    return (features & VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT) && !(features & VK_EXTERNAL_MEMORY_FEATURE_DEDICATED_ONLY_BIT);
}

std::vector<VkPhysicalDevice> listDevices(const Instance& instance)
{
    if (faultInjected(Fault::NoDevice))
        return {};
    return instance.physicalDevices();
}

} // namespace

Instance::Instance(Api& api, bool allowValidation) : m_api(api)
{
    const bool validation = allowValidation && validationRequested() && layerInstalled(api, kValidationLayer);

    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "Attention Explorer";
    app.pEngineName = "attn";
    app.apiVersion = VK_API_VERSION_1_1;

    const char* layers[] = {kValidationLayer};
    const char* extensions[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME, VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME};
    const VkDebugUtilsMessengerCreateInfoEXT debugInfo = messengerInfo();
    // The layer also checks synchronization: a missing barrier between the stages' shaders
    // and copies is a hazard it reports, where the numbers would only be wrong now and then.
    const VkValidationFeatureEnableEXT enabled[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
    VkValidationFeaturesEXT features{};
    features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT;
    features.pNext = &debugInfo; // also reports on instance creation and destruction
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = enabled;

    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    if (validation) {
        info.enabledLayerCount = 1;
        info.ppEnabledLayerNames = layers;
        info.enabledExtensionCount = 2;
        info.ppEnabledExtensionNames = extensions;
        info.pNext = &features;
    }
    VkInstance instance = VK_NULL_HANDLE;
    const VkResult created = api.vkCreateInstance(&info, nullptr, &instance);
    if (created == VK_ERROR_INCOMPATIBLE_DRIVER) // the loader found no driver at all
        throw BackendFailure("no Vulkan device or driver was found (vkCreateInstance returned "
                             "VK_ERROR_INCOMPATIBLE_DRIVER); install a Vulkan driver for your GPU.");
    VK_CHECK_RESULT(created, "vkCreateInstance");
    // Loading the functions can only fail after the instance exists: own it first.
    m_instance = Owned<VkInstance>(instance, [&api](VkInstance i) { api.vkDestroyInstance(i, nullptr); });
    api.vkDestroyInstance = reinterpret_cast<PFN_vkDestroyInstance>(api.vkGetInstanceProcAddr(instance, "vkDestroyInstance"));
    api.loadInstance(instance, validation);

    if (validation) {
        noteValidationEnabled();
        VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
        VK_CHECK(api.vkCreateDebugUtilsMessengerEXT(instance, &debugInfo, nullptr, &messenger));
        m_messenger = Owned<VkDebugUtilsMessengerEXT>(messenger, [&api, instance](VkDebugUtilsMessengerEXT m) {
            api.vkDestroyDebugUtilsMessengerEXT(instance, m, nullptr);
        });
    }
}

std::vector<VkPhysicalDevice> Instance::physicalDevices() const
{
    std::uint32_t count = 0;
    VK_CHECK(m_api.vkEnumeratePhysicalDevices(m_instance.get(), &count, nullptr));
    std::vector<VkPhysicalDevice> devices(count);
    VK_CHECK(m_api.vkEnumeratePhysicalDevices(m_instance.get(), &count, devices.data()));
    devices.resize(count);
    return devices;
}

Context::Context() : m_api(std::make_unique<Api>()), m_instance(std::make_unique<Instance>(*m_api, true))
{
    Api& api = *m_api;
    const std::vector<VkPhysicalDevice> devices = listDevices(*m_instance);
    if (devices.empty())
        throw BackendFailure(faultInjected(Fault::NoDevice)
                                 ? "no Vulkan device was found" + injectedFaultNote()
                                 : "no Vulkan device was found; install a Vulkan driver for your GPU "
                                   "(or mesa-vulkan-drivers for the CPU driver lavapipe).");

    std::optional<std::size_t> chosen;
    if (const char* forced = std::getenv("ATTN_VULKAN_DEVICE"); forced && *forced) {
        char* end = nullptr;
        const unsigned long index = std::strtoul(forced, &end, 10);
        const std::string range = "use an index from 0 to " + std::to_string(devices.size() - 1) + ", or unset it.";
        if (*end != '\0' || !std::isdigit(static_cast<unsigned char>(*forced)))
            throw BackendFailure("ATTN_VULKAN_DEVICE is \"" + std::string(forced) + "\", which is no device index; " + range);
        if (index >= devices.size())
            throw BackendFailure("ATTN_VULKAN_DEVICE is \"" + std::string(forced) + "\" but there "
                                 + (devices.size() == 1 ? "is 1 Vulkan device" : "are " + std::to_string(devices.size()) + " Vulkan devices")
                                 + "; " + range);
        if (!computeQueueFamily(api, devices[index]))
            throw BackendFailure("Vulkan device " + std::to_string(index) + " (ATTN_VULKAN_DEVICE) has no compute queue.");
        chosen = index;
    } else {
        int bestRank = 1 << 30;
        for (std::size_t i = 0; i < devices.size(); ++i) {
            VkPhysicalDeviceProperties properties;
            api.vkGetPhysicalDeviceProperties(devices[i], &properties);
            const int rank = typeRank(properties.deviceType);
            if (rank < bestRank && computeQueueFamily(api, devices[i])) {
                bestRank = rank;
                chosen = i;
            }
        }
        if (!chosen)
            throw BackendFailure("no Vulkan device has a compute queue.");
    }

    m_physical = devices[*chosen];
    api.vkGetPhysicalDeviceProperties(m_physical, &m_properties);
    api.vkGetPhysicalDeviceMemoryProperties(m_physical, &m_memory);
    const std::uint32_t computeFamily = *computeQueueFamily(api, m_physical);
    m_families = {computeFamily, transferOnlyQueueFamily(api, m_physical).value_or(computeFamily)};
    m_timestampValidBits = m_properties.limits.timestampPeriod > 0.0f
                               ? queueFamilies(api, m_physical)[queueFamily()].timestampValidBits
                               : 0;

    // Results can come home by DMA straight into the trace's own storage where the device
    // imports host memory (VK_EXT_external_memory_host).
    const bool hostImport = m_properties.apiVersion >= VK_API_VERSION_1_1 // external memory is core there
                            && deviceHasExtension(api, m_physical, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME)
                            && hostAllocationsImportable(api, m_physical);
    if (m_properties.apiVersion >= VK_API_VERSION_1_1) {
        VkPhysicalDeviceExternalMemoryHostPropertiesEXT importProperties{};
        importProperties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT;
        VkPhysicalDeviceSubgroupProperties subgroup{};
        subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
        subgroup.pNext = hostImport ? &importProperties : nullptr;
        VkPhysicalDeviceProperties2 properties2{};
        properties2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
        properties2.pNext = &subgroup;
        api.vkGetPhysicalDeviceProperties2(m_physical, &properties2);
        m_subgroupSize = subgroup.subgroupSize;
        const VkSubgroupFeatureFlags needed = VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;
        m_subgroupArithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT)
                               && (subgroup.supportedOperations & needed) == needed && subgroup.subgroupSize > 0;
        if (hostImport)
            m_hostImportAlignment = importProperties.minImportedHostPointerAlignment;
    }
    const char* deviceExtensions[] = {VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME};

    const float priority = 1.0f;
    std::array<VkDeviceQueueCreateInfo, 2> queueInfos{};
    for (std::size_t i = 0; i < queueInfos.size(); ++i) {
        queueInfos[i].sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
        queueInfos[i].queueFamilyIndex = m_families[i];
        queueInfos[i].queueCount = 1;
        queueInfos[i].pQueuePriorities = &priority;
    }
    VkDeviceCreateInfo deviceInfo{};
    deviceInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    deviceInfo.queueCreateInfoCount = copyQueueFamily() != queueFamily() ? 2 : 1;
    deviceInfo.pQueueCreateInfos = queueInfos.data();
    if (hostImport) {
        deviceInfo.enabledExtensionCount = 1;
        deviceInfo.ppEnabledExtensionNames = deviceExtensions;
    }
    VkDevice device = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateDevice(m_physical, &deviceInfo, nullptr, &device));
    // vkDestroyDevice is looked up before anything else can throw, so the device is freed.
    api.vkDestroyDevice = reinterpret_cast<PFN_vkDestroyDevice>(api.vkGetDeviceProcAddr(device, "vkDestroyDevice"));
    m_device = Owned<VkDevice>(device, [&api](VkDevice d) { api.vkDestroyDevice(d, nullptr); });
    api.loadDevice(device, hostImport);
    api.vkGetDeviceQueue(device, queueFamily(), 0, &m_queue);
    api.vkGetDeviceQueue(device, copyQueueFamily(), 0, &m_copyQueue);
}

void Context::shareBetweenQueues(VkBufferCreateInfo& info) const
{
    const bool twoFamilies = copyQueueFamily() != queueFamily();
    info.sharingMode = twoFamilies ? VK_SHARING_MODE_CONCURRENT : VK_SHARING_MODE_EXCLUSIVE;
    info.queueFamilyIndexCount = twoFamilies ? 2 : 0;
    info.pQueueFamilyIndices = twoFamilies ? m_families.data() : nullptr;
}

Context::~Context() = default;

std::uint32_t Context::memoryType(std::uint32_t typeBits, VkMemoryPropertyFlags required,
                                  VkMemoryPropertyFlags preferred) const
{
    if (const std::optional<std::uint32_t> found = findMemoryType(typeBits, required, preferred))
        return *found;
    throw BackendFailure("the Vulkan device has no suitable memory type for a buffer.");
}

std::optional<std::uint32_t> Context::findMemoryType(std::uint32_t typeBits, VkMemoryPropertyFlags required,
                                                     VkMemoryPropertyFlags preferred) const
{
    std::optional<std::uint32_t> fallback;
    for (std::uint32_t i = 0; i < m_memory.memoryTypeCount; ++i) {
        const VkMemoryPropertyFlags flags = m_memory.memoryTypes[i].propertyFlags;
        if (!(typeBits & (1u << i)) || (flags & required) != required)
            continue;
        if ((flags & preferred) == preferred)
            return i;
        if (!fallback)
            fallback = i;
    }
    return fallback;
}

bool validationLayerAvailable()
{
    try {
        Api api;
        return layerInstalled(api, kValidationLayer);
    } catch (const BackendFailure&) {
        return false; // no loader
    }
}

bool countsAsHardwareGpu(VkPhysicalDeviceType type)
{
    return type == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU || type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
}

bool hardwareGpuPresent()
{
    static std::once_flag once;
    static bool present = false;
    std::call_once(once, [] {
        try {
            Api api;
            const Instance instance(api, false);
            for (VkPhysicalDevice device : listDevices(instance)) {
                VkPhysicalDeviceProperties properties;
                api.vkGetPhysicalDeviceProperties(device, &properties);
                present = present || countsAsHardwareGpu(properties.deviceType);
            }
        } catch (const BackendFailure&) {
            present = false; // no loader or no driver: BLAS it is
        }
    });
    return present;
}

} // namespace attn::vulkan
