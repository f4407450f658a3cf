#include "faults.h"

#include "attn/backend.h"

#include <cstdlib>
#include <string>
#include <string_view>

namespace attn::vulkan {

namespace {

std::string_view faultName(Fault fault)
{
    switch (fault) {
    case Fault::NoLoader: return "no-loader";
    case Fault::NoDevice: return "no-device";
    case Fault::Pipeline: return "pipeline";
    case Fault::OutOfMemory: return "out-of-memory";
    case Fault::Submit: return "submit";
    case Fault::DeviceLost: return "device-lost";
    case Fault::NoHostImport: return "no-host-import";
    }
    return {};
}

} // namespace

bool faultInjected(Fault fault)
{
    const char* wanted = std::getenv("ATTN_VULKAN_FAULT");
    return wanted && faultName(fault) == wanted;
}

std::string injectedFaultNote()
{
    const char* wanted = std::getenv("ATTN_VULKAN_FAULT");
    if (!wanted || !*wanted || faultInjected(Fault::NoHostImport)) // that one fails nothing
        return {};
    return "; ATTN_VULKAN_FAULT=" + std::string(wanted) + " is set, which injects failures: unset it to use Vulkan.";
}

void checkFaultName()
{
    const char* wanted = std::getenv("ATTN_VULKAN_FAULT");
    if (!wanted || !*wanted)
        return;
    std::string names;
    for (Fault fault : {Fault::NoLoader, Fault::NoDevice, Fault::Pipeline, Fault::OutOfMemory, Fault::Submit,
                        Fault::DeviceLost, Fault::NoHostImport}) {
        if (faultName(fault) == wanted)
            return;
        names += (names.empty() ? "" : ", ") + std::string(faultName(fault));
    }
    throw BackendFailure("ATTN_VULKAN_FAULT is \"" + std::string(wanted) + "\", which names no fault; use one of " + names
                         + ", or unset it.");
}

} // namespace attn::vulkan
