#include "pipeline.h"

#include "check.h"
#include "faults.h"

#include <string>
#include <vector>

namespace attn::vulkan {

ComputePipeline::ComputePipeline(const Context& context, std::span<const std::uint32_t> spirv, std::uint32_t bindings,
                                 std::uint32_t pushConstantBytes, std::span<const std::uint32_t> specialization)
    : m_bindings(bindings), m_pushConstantBytes(pushConstantBytes)
{
    const Api& api = context.api();
    const VkDevice device = context.device();
    if (pushConstantBytes > context.limits().maxPushConstantsSize)
        throw BackendFailure("the Vulkan device allows " + std::to_string(context.limits().maxPushConstantsSize)
                             + " bytes of push constants; the shaders need " + std::to_string(pushConstantBytes) + ".");

    std::vector<VkDescriptorSetLayoutBinding> layoutBindings(bindings);
    for (std::uint32_t i = 0; i < bindings; ++i) {
        layoutBindings[i].binding = i;
        layoutBindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        layoutBindings[i].descriptorCount = 1;
        layoutBindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo setInfo{};
    setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    setInfo.bindingCount = bindings;
    setInfo.pBindings = layoutBindings.data();
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateDescriptorSetLayout(device, &setInfo, nullptr, &setLayout));
    m_setLayout = Owned<VkDescriptorSetLayout>(
        setLayout, [&api, device](VkDescriptorSetLayout l) { api.vkDestroyDescriptorSetLayout(device, l, nullptr); });

    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, pushConstantBytes};
    VkPipelineLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layoutInfo.setLayoutCount = 1;
    layoutInfo.pSetLayouts = &setLayout;
    layoutInfo.pushConstantRangeCount = 1;
    layoutInfo.pPushConstantRanges = &range;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreatePipelineLayout(device, &layoutInfo, nullptr, &layout));
    m_layout = Owned<VkPipelineLayout>(layout, [&api, device](VkPipelineLayout l) { api.vkDestroyPipelineLayout(device, l, nullptr); });

    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = spirv.size_bytes();
    moduleInfo.pCode = spirv.data();
    VkShaderModule module = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateShaderModule(device, &moduleInfo, nullptr, &module));
    // Only needed while the pipeline is made.
    const Owned<VkShaderModule> ownedModule(module, [&api, device](VkShaderModule m) { api.vkDestroyShaderModule(device, m, nullptr); });

    std::vector<VkSpecializationMapEntry> entries(specialization.size());
    for (std::uint32_t i = 0; i < entries.size(); ++i)
        entries[i] = {i, std::uint32_t(i * sizeof(std::uint32_t)), sizeof(std::uint32_t)};
    VkSpecializationInfo specializationInfo{};
    specializationInfo.mapEntryCount = std::uint32_t(entries.size());
    specializationInfo.pMapEntries = entries.data();
    specializationInfo.dataSize = specialization.size_bytes();
    specializationInfo.pData = specialization.data();

    VkComputePipelineCreateInfo pipelineInfo{};
    pipelineInfo.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    pipelineInfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipelineInfo.stage.module = module;
    pipelineInfo.stage.pName = "main";
    pipelineInfo.stage.pSpecializationInfo = &specializationInfo;
    pipelineInfo.layout = layout;
    VkPipeline pipeline = VK_NULL_HANDLE;
    const VkResult created = faultInjected(Fault::Pipeline)
                                 ? VK_ERROR_INITIALIZATION_FAILED
                                 : api.vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &pipelineInfo, nullptr, &pipeline);
    VK_CHECK_RESULT(created, "vkCreateComputePipelines");
    m_pipeline = Owned<VkPipeline>(pipeline, [&api, device](VkPipeline p) { api.vkDestroyPipeline(device, p, nullptr); });
}

} // namespace attn::vulkan
