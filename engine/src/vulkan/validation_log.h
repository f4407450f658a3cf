// Messages of severity warning or error from the Khronos validation layer, collected
// process-wide so that tests can fail on any of them (ATTN_VULKAN_VALIDATION=1 turns the
// layer on where it is installed).
#pragma once

#include <string>
#include <vector>

namespace attn::vulkan {

void recordValidationMessage(std::string message);

// Returns the messages recorded since the last call and forgets them.
std::vector<std::string> takeValidationMessages();

// Whether any backend or probe made so far had the validation layer on.
bool validationWasEnabled();
void noteValidationEnabled();

} // namespace attn::vulkan
