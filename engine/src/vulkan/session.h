// Everything the Vulkan backend keeps between requests: the device, both pipelines, the
// descriptor sets, the stages' command buffers, a timestamp query pool, and buffers that
// grow with the largest request so far.
//
// A request runs in stages (stages.h): the compute queue computes the heads chunk by
// chunk, and the copy queue brings each chunk's scores and weights home while the compute
// queue goes on with the next. At 2048 tokens and 12 heads those are 402 MB, more time on
// the bus than all the shaders take, so the first stage computes only what the first
// chunk needs (recordAndSubmit says what each stage does).
#pragma once

#include "buffer.h"
#include "context.h"
#include "host_import.h"
#include "params.h"
#include "pipeline.h"
#include "stages.h"

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
    // One descriptor set per dispatch kind and chunk slot; the bindings are rewritten for
    // each request. Chunks take turns in two slots of the scores and weights buffers, so
    // that one chunk is computed while the one before is copied home.
    enum Step : std::size_t { ProjectQ, ProjectK, ProjectV, QKt, Softmax, WeightsV, ProjectOut, StepCount };
    static constexpr std::size_t kChunkSlots = 2;
    // The scores and weights of how many heads one chunk holds, and where each slot starts.
    struct Chunking {
        std::uint32_t heads = 1, count = 1;
        VkDeviceSize bytes = 0, slotStride = 0;
        // Slots in use: two where there are two chunks or more.
        std::uint32_t slots() const { return count < kChunkSlots ? count : std::uint32_t(kChunkSlots); }
    };

    Chunking chooseChunking(std::uint64_t heads, std::uint64_t headScores, std::uint64_t range) const;
    void writeDescriptors(Slot keySource, const Chunking& chunking);
    // Records each stage and submits it at once, so that the GPU starts on the first while
    // the others are recorded.
    void recordAndSubmit(const AttentionProblem& problem, const Chunking& chunking);
    void begin(VkCommandBuffer commands);
    void end();
    void dispatch(const ComputePipeline& pipeline, Step step, std::size_t chunkSlot, const void* params,
                  std::uint32_t bytes, std::uint64_t x, std::uint64_t y, std::uint64_t z);
    void dispatchMatmul(Step step, std::size_t chunkSlot, const MatmulParams& params);
    void barrier(VkPipelineStageFlags from, VkAccessFlags fromAccess, VkPipelineStageFlags to, VkAccessFlags toAccess);
    void copy(VkBuffer from, VkDeviceSize fromOffset, VkBuffer to, VkDeviceSize toOffset, VkDeviceSize bytes);
    double readGpuMs();

    Context m_context;
    MatmulTiles m_tiles;       // square tiles, for most products
    MatmulTiles m_narrowTiles; // one column per invocation, for products of few columns or few tiles
    std::uint32_t m_softmaxWorkgroup = 256;
    bool m_onGpu = false; // a discrete or integrated GPU, not a CPU driver such as lavapipe
    ComputePipeline m_matmul;
    ComputePipeline m_matmulNarrow;
    ComputePipeline m_softmax;
    Owned<VkDescriptorPool> m_descriptorPool;
    std::array<std::array<VkDescriptorSet, kChunkSlots>, StepCount> m_sets{};
    // Stage c computes chunk c (stage 0 with its heads' projections, stage 1 with the rest),
    // stage count the output.
    Stages m_stages;
    VkCommandBuffer m_recording = VK_NULL_HANDLE;
    Owned<VkQueryPool> m_timestamps; // empty where the queue has no timestamps
    std::vector<GpuBuffer> m_buffers; // by Slot
    GpuBuffer m_upload;
    GpuBuffer m_download;
    std::shared_ptr<HostImports> m_hostImports; // shared with the allocator, which tells it of freed blocks

    // Where each input comes from (the upload buffer, or the caller's own imported
    // storage), and where each result goes (the download buffer or the trace's own imported
    // storage), for the current request (bytes).
    std::array<VkBuffer, SlotCount> m_inputBuffer{};
    std::array<VkDeviceSize, SlotCount> m_inputOffset{};
    std::array<VkBuffer, SlotCount> m_resultBuffer{};
    std::array<VkDeviceSize, SlotCount> m_resultOffset{};
    std::array<VkDeviceSize, SlotCount> m_bytes{};
};

} // namespace attn::vulkan
