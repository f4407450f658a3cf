// The Backend face of the Vulkan session: makes it, and after a lost device drops it so
// that the next request opens the device afresh.
#include "vulkan_backend.h"

#include "check.h"
#include "context.h"
#include "session.h"

namespace attn {

namespace {

class VulkanBackend final : public Backend {
public:
    VulkanBackend() : m_session(std::make_unique<vulkan::Session>()) {}

    std::string name() const override { return "vulkan"; }

    void forward(const AttentionProblem& problem, Trace& trace) override
    {
        if (!m_session)
            m_session = std::make_unique<vulkan::Session>();
        try {
            m_session->forward(problem, trace);
        } catch (const vulkan::DeviceLost&) {
            m_session.reset();
            throw;
        }
    }

private:
    std::unique_ptr<vulkan::Session> m_session;
};

} // namespace

std::unique_ptr<Backend> makeVulkanBackend()
{
    return std::make_unique<VulkanBackend>();
}

bool vulkanHardwareGpuPresent()
{
    return vulkan::hardwareGpuPresent();
}

} // namespace attn
