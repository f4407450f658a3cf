// Everything the Vulkan backend keeps between requests: the device, both pipelines, the
// descriptor sets, one command buffer and fence, a timestamp query pool, and buffers that
// grow with the largest request so far.
#pragma once

#include "buffer.h"
#include "context.h"
#include "host_import.h"
#include "params.h"
#include "pipeline.h"

#include "attn/backend.h"

#include <array>
#include <memory>
#include <vector>

namespace attn::vulkan {

class Session {
public:
    // Throws BackendFailure (no loader, no device, pipeline creation failed...).
    Session();
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // One forward pass; throws BackendFailure, or DeviceLost after which the session is
    // unusable and must be dropped.
    void forward(const AttentionProblem& problem, Trace& trace);

private:
    // The device buffers, one per tensor.
    enum Slot : std::size_t { XQ, XK, WQ, WK, WV, WO, BQ, BK, BV, BO, Q, K, V, Scores, Weights, Heads, Out, SlotCount };
    // One descriptor set per dispatch kind; the bindings are rewritten for each request.
    enum Step : std::size_t { ProjectQ, ProjectK, ProjectV, QKt, Softmax, WeightsV, ProjectOut, StepCount };

    void writeDescriptors(Slot keySource);
    void record(const AttentionProblem& problem, std::size_t headsPerChunk);
    void dispatch(const ComputePipeline& pipeline, Step step, const void* params, std::uint32_t bytes, std::uint64_t x,
                  std::uint64_t y, std::uint64_t z);
    void dispatchMatmul(Step step, const MatmulParams& params);
    void barrier(VkPipelineStageFlags from, VkAccessFlags fromAccess, VkPipelineStageFlags to, VkAccessFlags toAccess);
    void copy(VkBuffer from, VkDeviceSize fromOffset, VkBuffer to, VkDeviceSize toOffset, VkDeviceSize bytes);
    void submitAndWait();
    double readGpuMs();

    Context m_context;
    MatmulTiles m_tiles;       // square tiles, for most products
    MatmulTiles m_narrowTiles; // one column per invocation, for products with few columns (d_v, d_k small)
    std::uint32_t m_softmaxWorkgroup = 256;
    ComputePipeline m_matmul;
    ComputePipeline m_matmulNarrow;
    ComputePipeline m_softmax;
    Owned<VkDescriptorPool> m_descriptorPool;
    std::array<VkDescriptorSet, StepCount> m_sets{};
    Owned<VkCommandPool> m_commandPool;
    VkCommandBuffer m_commands = VK_NULL_HANDLE;
    Owned<VkFence> m_fence;
    Owned<VkQueryPool> m_timestamps; // empty where the queue has no timestamps
    std::vector<GpuBuffer> m_buffers; // by Slot
    GpuBuffer m_upload;
    GpuBuffer m_download;
    std::shared_ptr<HostImports> m_hostImports; // shared with the allocator, which tells it of freed blocks

    // Where each tensor lies in the upload buffer, and where each result goes (the download
    // buffer or the trace's own imported storage), for the current request (bytes).
    std::array<VkDeviceSize, SlotCount> m_uploadOffset{};
    std::array<VkBuffer, SlotCount> m_resultBuffer{};
    std::array<VkDeviceSize, SlotCount> m_resultOffset{};
    std::array<VkDeviceSize, SlotCount> m_bytes{};
};

} // namespace attn::vulkan
