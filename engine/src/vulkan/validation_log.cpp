#include "validation_log.h"

#include <atomic>
#include <mutex>
#include <utility>

namespace attn::vulkan {

namespace {

std::mutex g_mutex;
std::vector<std::string> g_messages;
std::atomic<bool> g_enabled{false};

} // namespace

void recordValidationMessage(std::string message)
{
    const std::lock_guard lock(g_mutex);
    g_messages.push_back(std::move(message));
}

std::vector<std::string> takeValidationMessages()
{
    const std::lock_guard lock(g_mutex);
    return std::exchange(g_messages, {});
}

bool validationWasEnabled()
{
    return g_enabled;
}

void noteValidationEnabled()
{
    g_enabled = true;
}

} // namespace attn::vulkan
