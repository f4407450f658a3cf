// The Vulkan compute backend (private to the engine; makeBackend(BackendKind::Vulkan)
// is the public way in).
#pragma once

#include "attn/backend.h"

#include <cstdint>
#include <memory>

namespace attn {

// Throws BackendFailure when Vulkan cannot run here: no loader, no device, a pipeline
// that does not build... Failures during forward() are BackendFailure too.
std::unique_ptr<Backend> makeVulkanBackend();

// Whether auto should choose Vulkan: a discrete or integrated GPU exists (cached probe).
bool vulkanHardwareGpuPresent();

namespace vulkan {

// Tests only: treat the device's largest storage buffer binding as `bytes` (0: the
// device's own limit), so that computing the heads in chunks is tested on small problems.
void setStorageRangeLimitForTesting(std::uint64_t bytes);

// Tests only: the result bytes the GPU has written straight into trace storage (imported
// host memory) in this process so far.
std::uint64_t bytesWrittenInPlaceForTesting();

} // namespace vulkan

} // namespace attn
