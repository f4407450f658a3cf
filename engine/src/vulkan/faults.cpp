#include "faults.h"

#include <cstdlib>
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

} // namespace attn::vulkan
