// One compute pipeline: its shader module, descriptor set layout (storage buffers at
// bindings 0..n-1), push-constant range and specialization constants (ids 0..m-1).
#pragma once

#include "context.h"
#include "owned.h"

#include <cstdint>
#include <span>

namespace attn::vulkan {

class ComputePipeline {
public:
    ComputePipeline(const Context& context, std::span<const std::uint32_t> spirv, std::uint32_t bindings,
                    std::uint32_t pushConstantBytes, std::span<const std::uint32_t> specialization);

    VkPipeline pipeline() const { return m_pipeline.get(); }
    VkPipelineLayout layout() const { return m_layout.get(); }
    VkDescriptorSetLayout setLayout() const { return m_setLayout.get(); }
    std::uint32_t bindings() const { return m_bindings; }
    std::uint32_t pushConstantBytes() const { return m_pushConstantBytes; }

private:
    std::uint32_t m_bindings;
    std::uint32_t m_pushConstantBytes;
    Owned<VkDescriptorSetLayout> m_setLayout;
    Owned<VkPipelineLayout> m_layout;
    Owned<VkPipeline> m_pipeline;
};

} // namespace attn::vulkan
