// The one place that decides which backend runs a request.
#pragma once

#include "attn/backend.h"

#include <memory>
#include <string>

namespace attn {

enum class BackendKind { Auto, Reference, Blas, Vulkan };

BackendKind backendKindFromString(const std::string& text); // auto | reference | blas | vulkan
std::string toString(BackendKind kind);

// An explicit request wins; Auto defers to the ATTN_BACKEND environment variable, then to
// the machine: Vulkan on a discrete or integrated GPU, BLAS otherwise. Never returns Auto.
BackendKind chooseBackend(BackendKind requested);
// Throws attn::Error where Auto would defer to an ATTN_BACKEND that names no backend; looks
// for no GPU.
void checkBackendChoice(BackendKind requested);

// A new backend of that kind. Throws BackendFailure when it cannot be had here
// (for Vulkan: no loader, no device, ...).
std::unique_ptr<Backend> makeBackend(BackendKind kind);

} // namespace attn
