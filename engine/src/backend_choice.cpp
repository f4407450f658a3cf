#include "attn/backend_choice.h"

#include "attn/error.h"

#include "vulkan/vulkan_backend.h"

#include <cstdlib>

namespace attn {

BackendKind backendKindFromString(const std::string& text)
{
    if (text == "auto")
        return BackendKind::Auto;
    if (text == "reference")
        return BackendKind::Reference;
    if (text == "blas")
        return BackendKind::Blas;
    if (text == "vulkan")
        return BackendKind::Vulkan;
    throw Error("backend \"" + text + "\" is unknown; use auto, blas, vulkan or reference.");
}

std::string toString(BackendKind kind)
{
    switch (kind) {
    case BackendKind::Auto: return "auto";
    case BackendKind::Reference: return "reference";
    case BackendKind::Blas: return "blas";
    case BackendKind::Vulkan: return "vulkan";
    }
    return "auto";
}

namespace {

// ATTN_BACKEND's backend; Auto where it is unset, empty or "auto".
BackendKind forcedBackend()
{
    const char* forced = std::getenv("ATTN_BACKEND");
    if (!forced || !*forced)
        return BackendKind::Auto;
    try {
        return backendKindFromString(forced);
    } catch (const Error& error) { // the user typed no backend: name where it came from
        throw Error(std::string("ATTN_BACKEND: ") + error.what() + " Or unset it.");
    }
}

} // namespace

void checkBackendChoice(BackendKind requested)
{
    if (requested == BackendKind::Auto)
        forcedBackend();
}

BackendKind chooseBackend(BackendKind requested)
{
    if (requested != BackendKind::Auto)
        return requested;
    if (const BackendKind forced = forcedBackend(); forced != BackendKind::Auto)
        return forced;
    // A CPU Vulkan driver (lavapipe) does not count: BLAS is faster there.
    return vulkanHardwareGpuPresent() ? BackendKind::Vulkan : BackendKind::Blas;
}

std::unique_ptr<Backend> makeBackend(BackendKind kind)
{
    switch (kind) {
    case BackendKind::Reference: return makeReferenceBackend();
    case BackendKind::Vulkan: return makeVulkanBackend(); // throws BackendFailure when Vulkan cannot run here
    case BackendKind::Auto:
    case BackendKind::Blas: break;
    }
    return makeBlasBackend();
}

} // namespace attn
