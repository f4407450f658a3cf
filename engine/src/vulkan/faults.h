// Injectable failures, so that every path from a Vulkan failure to the BLAS fallback can
// be tested on a machine where Vulkan works. Set ATTN_VULKAN_FAULT to one of
// no-loader | no-device | pipeline | out-of-memory | submit | device-lost | no-host-import; it is
// read each time a fault point is reached, so tests may change it between requests.
#pragma once

#include <string>

namespace attn::vulkan {

// no-host-import is not a failure: results then come home through the staging buffer.
// submit fails a request's fourth submission, when earlier stages are already queued.
enum class Fault { NoLoader, NoDevice, Pipeline, OutOfMemory, Submit, DeviceLost, NoHostImport };

bool faultInjected(Fault fault);

// Where ATTN_VULKAN_FAULT names a fault that fails, the words that end a failure's message in
// place of the advice for a real one ("; ATTN_VULKAN_FAULT=pipeline is set, which injects
// failures: unset it to use Vulkan."); empty otherwise.
std::string injectedFaultNote();

// Throws BackendFailure where ATTN_VULKAN_FAULT names no fault: a misspelt fault would
// otherwise let Vulkan run, and a test of the fallback pass without testing it.
void checkFaultName();

} // namespace attn::vulkan
