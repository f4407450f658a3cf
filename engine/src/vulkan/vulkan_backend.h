// The Vulkan compute backend (private to the engine; makeBackend(BackendKind::Vulkan)
// is the public way in).
#pragma once

#include "attn/backend.h"

#include <memory>

namespace attn {

// Throws BackendFailure when Vulkan cannot run here: no loader, no device, a pipeline
// that does not build... Failures during forward() are BackendFailure too.
std::unique_ptr<Backend> makeVulkanBackend();

// Whether auto should choose Vulkan: a discrete or integrated GPU exists (cached probe).
bool vulkanHardwareGpuPresent();

} // namespace attn
