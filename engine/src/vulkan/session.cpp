#include "session.h"

#include "check.h"
#include "faults.h"
#include "host_import.h"
#include "spirv.h"
#include "vulkan_backend.h"

#include "parallel_copy.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <tuple>

namespace attn::vulkan {

namespace {

constexpr std::uint32_t kMatmulBindings = 4;  // A, B, C, bias
constexpr std::uint32_t kSoftmaxBindings = 2; // scores, weights

std::string mib(std::uint64_t bytes)
{
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

MatmulTiles chooseTiles(const Context& context)
{
    const VkPhysicalDeviceLimits& limits = context.limits();
    MatmulTiles tiles;
    // Every device offers 128 invocations and 16 KiB of shared memory; most offer 256+.
    if (limits.maxComputeWorkGroupInvocations < 256 || limits.maxComputeWorkGroupSize[0] < 16
        || limits.maxComputeWorkGroupSize[1] < 16) {
        tiles.workgroupX = 8;
        tiles.workgroupY = 8;
    }
    const std::uint64_t shared = std::uint64_t(tiles.tileK) * (tiles.tileM() + 1 + tiles.tileN() + 1) * sizeof(float);
    if (shared > limits.maxComputeSharedMemorySize)
        throw BackendFailure("the Vulkan device has " + std::to_string(limits.maxComputeSharedMemorySize)
                             + " bytes of shared memory; the matrix multiply needs " + std::to_string(shared) + ".");
    return tiles;
}

MatmulTiles narrowTiles(MatmulTiles tiles)
{
    tiles.regN = 1;
    return tiles;
}

std::array<std::uint32_t, 5> specialization(const MatmulTiles& tiles)
{
    return {tiles.workgroupX, tiles.workgroupY, tiles.tileK, tiles.regM, tiles.regN};
}

std::atomic<std::uint64_t> g_storageRangeLimit{0};
std::atomic<std::uint64_t> g_bytesWrittenInPlace{0};

std::uint32_t chooseSoftmaxWorkgroup(const Context& context)
{
    const VkPhysicalDeviceLimits& limits = context.limits();
    // 64 invocations per row (shaders/CMakeLists.txt): two warps or one wavefront, and
    // every lane still has work for rows of a few hundred keys. The shader's reduction
    // scratch holds no more.
    return std::min({std::uint32_t(ATTN_REDUCE_WORKGROUP_MOST), limits.maxComputeWorkGroupInvocations,
                     limits.maxComputeWorkGroupSize[0]});
}

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b)
{
    return (a + b - 1) / b;
}

std::uint32_t u32(std::uint64_t value)
{
    // Every size passed to a shader indexes a buffer no larger than maxStorageBufferRange
    // (a uint32_t of bytes), so this only trips on a bug.
    if (value > 0xffffffffull)
        throw BackendFailure("a size of " + std::to_string(value) + " does not fit the shaders' 32-bit indices.");
    return std::uint32_t(value);
}

} // namespace

Session::Session()
    : m_context(),
      m_tiles(chooseTiles(m_context)),
      m_narrowTiles(narrowTiles(m_tiles)),
      m_softmaxWorkgroup(chooseSoftmaxWorkgroup(m_context)),
      m_matmul(m_context, spirv::matmul(), kMatmulBindings, sizeof(MatmulParams), specialization(m_tiles)),
      m_matmulNarrow(m_context, spirv::matmul(), kMatmulBindings, sizeof(MatmulParams), specialization(m_narrowTiles)),
      m_softmax(m_context, spirv::softmax(), kSoftmaxBindings, sizeof(SoftmaxParams),
                std::array<std::uint32_t, 1>{m_softmaxWorkgroup}),
      m_upload(m_context, Residence::Upload, ~VkDeviceSize(0)),
      m_download(m_context, Residence::Download, ~VkDeviceSize(0)),
      m_hostImports(std::make_shared<HostImports>(m_context))
{
    const Api& api = m_context.api();
    const VkDevice device = m_context.device();

    const VkDescriptorPoolSize poolSize{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, StepCount * kMatmulBindings};
    VkDescriptorPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    poolInfo.maxSets = StepCount;
    poolInfo.poolSizeCount = 1;
    poolInfo.pPoolSizes = &poolSize;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateDescriptorPool(device, &poolInfo, nullptr, &pool));
    m_descriptorPool = Owned<VkDescriptorPool>(pool, [&api, device](VkDescriptorPool p) { api.vkDestroyDescriptorPool(device, p, nullptr); });

    std::array<VkDescriptorSetLayout, StepCount> layouts;
    layouts.fill(m_matmul.setLayout());
    layouts[Softmax] = m_softmax.setLayout();
    VkDescriptorSetAllocateInfo setInfo{};
    setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    setInfo.descriptorPool = pool;
    setInfo.descriptorSetCount = StepCount;
    setInfo.pSetLayouts = layouts.data();
    VK_CHECK(api.vkAllocateDescriptorSets(device, &setInfo, m_sets.data())); // freed with the pool

    VkCommandPoolCreateInfo commandPoolInfo{};
    commandPoolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    commandPoolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    commandPoolInfo.queueFamilyIndex = m_context.queueFamily();
    VkCommandPool commandPool = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateCommandPool(device, &commandPoolInfo, nullptr, &commandPool));
    m_commandPool = Owned<VkCommandPool>(commandPool, [&api, device](VkCommandPool p) { api.vkDestroyCommandPool(device, p, nullptr); });

    VkCommandBufferAllocateInfo commandInfo{};
    commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    commandInfo.commandPool = commandPool;
    commandInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    commandInfo.commandBufferCount = 1;
    VK_CHECK(api.vkAllocateCommandBuffers(device, &commandInfo, &m_commands)); // freed with the pool

    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VkFence fence = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateFence(device, &fenceInfo, nullptr, &fence));
    m_fence = Owned<VkFence>(fence, [&api, device](VkFence f) { api.vkDestroyFence(device, f, nullptr); });

    if (m_context.timestampValidBits() > 0) {
        VkQueryPoolCreateInfo queryInfo{};
        queryInfo.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
        queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
        queryInfo.queryCount = 2;
        VkQueryPool queries = VK_NULL_HANDLE;
        VK_CHECK(api.vkCreateQueryPool(device, &queryInfo, nullptr, &queries));
        m_timestamps = Owned<VkQueryPool>(queries, [&api, device](VkQueryPool q) { api.vkDestroyQueryPool(device, q, nullptr); });
    }

    m_buffers.reserve(SlotCount);
    for (std::size_t slot = 0; slot < SlotCount; ++slot)
        m_buffers.emplace_back(m_context, Residence::Device, m_context.limits().maxStorageBufferRange);
}

void setStorageRangeLimitForTesting(std::uint64_t bytes)
{
    g_storageRangeLimit = bytes;
}

std::uint64_t bytesWrittenInPlaceForTesting()
{
    return g_bytesWrittenInPlace;
}

Session::~Session()
{
    // Nothing may be destroyed while the GPU still uses it (after a failed wait, say).
    // A lost device answers at once; its objects may then be destroyed.
    m_context.api().vkDeviceWaitIdle(m_context.device());
    m_hostImports->close();
}

void Session::forward(const AttentionProblem& p, Trace& t)
{
    const LayerWeights& w = p.weights;
    const std::uint64_t heads = std::uint64_t(w.heads), dk = std::uint64_t(w.d_k), dv = std::uint64_t(w.d_v);
    const std::uint64_t dm = std::uint64_t(w.d_model);
    const std::uint64_t nq = p.queriesFrom.dim(0), nk = p.keysFrom.dim(0);
    const bool self = &p.queriesFrom == &p.keysFrom;
    const Slot keySource = self ? XQ : XK;

    // The inputs, in the order they are uploaded.
    const std::array<std::pair<Slot, const Tensor*>, 10> inputs{{{XQ, &p.queriesFrom},
                                                                  {XK, self ? nullptr : &p.keysFrom},
                                                                  {WQ, &w.w_q},
                                                                  {WK, &w.w_k},
                                                                  {WV, &w.w_v},
                                                                  {WO, &w.w_o},
                                                                  {BQ, &w.b_q},
                                                                  {BK, &w.b_k},
                                                                  {BV, &w.b_v},
                                                                  {BO, &w.b_o}}};
    m_bytes.fill(0);
    for (const auto& [slot, tensor] : inputs)
        m_bytes[slot] = tensor ? tensor->size() * sizeof(float) : 0;
    m_bytes[Q] = heads * nq * dk * sizeof(float);
    m_bytes[K] = heads * nk * dk * sizeof(float);
    m_bytes[V] = heads * nk * dv * sizeof(float);
    m_bytes[Heads] = heads * nq * dv * sizeof(float);
    m_bytes[Out] = nq * dm * sizeof(float);

    // One head's scores must fit one storage buffer binding; as many heads as fit are
    // computed together, the rest in further chunks through the same buffers.
    std::uint64_t range = m_context.limits().maxStorageBufferRange;
    if (const std::uint64_t testLimit = g_storageRangeLimit; testLimit > 0)
        range = std::min(range, testLimit);
    const std::uint64_t headScores = nq * nk * sizeof(float);
    for (std::size_t slot = 0; slot < SlotCount; ++slot)
        if (m_bytes[slot] > range)
            throw BackendFailure("a tensor of " + mib(m_bytes[slot]) + " exceeds this GPU's largest storage buffer ("
                                 + mib(range) + "); use fewer tokens, heads or a smaller d_model.");
    if (headScores > range)
        throw BackendFailure("the scores of one head (" + std::to_string(nq) + " x " + std::to_string(nk) + ", "
                             + mib(headScores) + ") exceed this GPU's largest storage buffer (" + mib(range)
                             + "); use fewer tokens.");
    const std::uint64_t headsPerChunk = std::min(heads, range / headScores);
    m_bytes[Scores] = m_bytes[Weights] = headsPerChunk * headScores;

    for (std::size_t slot = 0; slot < SlotCount; ++slot)
        m_buffers[slot].reserve(m_bytes[slot]);

    VkDeviceSize uploadBytes = 0;
    for (const auto& [slot, tensor] : inputs) {
        m_uploadOffset[slot] = uploadBytes;
        uploadBytes += m_bytes[slot];
    }
    m_upload.reserve(uploadBytes);
    std::vector<CopyRange> uploads; // 15 MB at 2048 tokens of (768, 12): more than a core copies in a millisecond
    for (const auto& [slot, tensor] : inputs)
        if (tensor && !tensor->empty())
            uploads.push_back({static_cast<char*>(m_upload.mapped()) + m_uploadOffset[slot], tensor->ptr(), m_bytes[slot]});
    copyInParallel(uploads);

    // Every result comes home, the scores and weights of all heads whatever the chunking:
    // by DMA straight into the trace's storage where the device can borrow it, through the
    // download buffer otherwise.
    const std::array<std::tuple<Slot, Tensor*, std::vector<std::size_t>>, 7> results{{{Q, &t.q, {heads, nq, dk}},
                                                                                     {K, &t.k, {heads, nk, dk}},
                                                                                     {V, &t.v, {heads, nk, dv}},
                                                                                     {Scores, &t.scores, {heads, nq, nk}},
                                                                                     {Weights, &t.weights, {heads, nq, nk}},
                                                                                     {Heads, &t.heads, {heads, nq, dv}},
                                                                                     {Out, &t.output, {nq, dm}}}};
    m_hostImports->startRequest();
    VkDeviceSize downloadBytes = 0;
    for (const auto& [slot, tensor, shape] : results) {
        tensor->reshape(shape); // in the storage the engine recycled, if any
        m_resultBuffer[slot] = m_hostImports->borrow(*tensor);
        if (m_resultBuffer[slot] != VK_NULL_HANDLE) {
            m_resultOffset[slot] = 0;
            g_bytesWrittenInPlace += tensor->size() * sizeof(float);
        } else {
            m_resultOffset[slot] = downloadBytes;
            downloadBytes += tensor->size() * sizeof(float);
        }
    }
    m_download.reserve(downloadBytes);
    std::vector<CopyRange> copies;
    for (const auto& [slot, tensor, shape] : results) {
        if (m_resultBuffer[slot] != VK_NULL_HANDLE)
            continue;
        m_resultBuffer[slot] = m_download.handle();
        copies.push_back({tensor->ptr(), static_cast<const char*>(m_download.mapped()) + m_resultOffset[slot],
                          tensor->size() * sizeof(float)});
    }

    writeDescriptors(keySource);
    record(p, std::size_t(headsPerChunk));
    submitAndWait();
    t.gpuMs = readGpuMs();
    copyInParallel(copies);
}

void Session::writeDescriptors(Slot keySource)
{
    // Bindings per step: A, B, C, bias for the matrix multiplies (an absent bias binds the
    // Q bias buffer, which always exists, and is not read), scores and weights for softmax.
    const std::array<std::array<Slot, 4>, StepCount> bindings{{
        {XQ, WQ, Q, BQ},
        {keySource, WK, K, BK},
        {keySource, WV, V, BV},
        {Q, K, Scores, BQ},
        {Scores, Weights, SlotCount, SlotCount},
        {Weights, V, Heads, BQ},
        {Heads, WO, Out, BO},
    }};
    std::array<VkDescriptorBufferInfo, StepCount * 4> infos{};
    std::vector<VkWriteDescriptorSet> writes;
    for (std::size_t step = 0; step < StepCount; ++step) {
        for (std::uint32_t b = 0; b < 4 && bindings[step][b] != SlotCount; ++b) {
            const GpuBuffer& buffer = m_buffers[bindings[step][b]];
            VkDescriptorBufferInfo& info = infos[step * 4 + b];
            info = {buffer.handle(), 0, buffer.capacity()};
            VkWriteDescriptorSet write{};
            write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
            write.dstSet = m_sets[step];
            write.dstBinding = b;
            write.descriptorCount = 1;
            write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
            write.pBufferInfo = &info;
            writes.push_back(write);
        }
    }
    m_context.api().vkUpdateDescriptorSets(m_context.device(), std::uint32_t(writes.size()), writes.data(), 0, nullptr);
}

void Session::record(const AttentionProblem& p, std::size_t headsPerChunk)
{
    const Api& api = m_context.api();
    const LayerWeights& w = p.weights;
    const std::uint32_t heads = u32(w.heads), dk = u32(w.d_k), dv = u32(w.d_v), dm = u32(w.d_model);
    const std::uint32_t nq = u32(p.queriesFrom.dim(0)), nk = u32(p.keysFrom.dim(0));

    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VK_CHECK(api.vkBeginCommandBuffer(m_commands, &begin));
    // Should recording throw (a limit check), the buffer must still leave the recording
    // state so that the next request can begin it again.
    bool ended = false;
    struct EndOnError {
        const Api& api;
        VkCommandBuffer commands;
        bool& ended;
        ~EndOnError()
        {
            if (!ended)
                api.vkEndCommandBuffer(commands);
        }
    } endOnError{api, m_commands, ended};

    if (m_timestamps) {
        api.vkCmdResetQueryPool(m_commands, m_timestamps.get(), 0, 2);
        api.vkCmdWriteTimestamp(m_commands, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, m_timestamps.get(), 0);
    }

    for (Slot slot : {XQ, XK, WQ, WK, WV, WO, BQ, BK, BV, BO})
        if (m_bytes[slot] > 0)
            copy(m_upload.handle(), m_uploadOffset[slot], m_buffers[slot].handle(), 0, m_bytes[slot]);
    barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_READ_BIT);

    // Projections, one head per z: Y_h = X W_hᵀ + b_h written straight into [h x n x width].
    const auto projection = [&](std::uint32_t n, std::uint32_t width, const Tensor& bias) {
        MatmulParams m;
        m.M = n;
        m.N = width;
        m.K = dm;
        m.batch = heads;
        m.aStrideM = dm;
        m.aBlock = dm;
        m.bBatchStride = width * dm;
        m.bStrideK = 1;
        m.bStrideN = dm;
        m.cBatchStride = n * width;
        m.cStrideM = width;
        m.biasBatchStride = width;
        m.hasBias = bias.empty() ? 0 : 1;
        return m;
    };
    dispatchMatmul(ProjectQ, projection(nq, dk, w.b_q));
    dispatchMatmul(ProjectK, projection(nk, dk, w.b_k));
    dispatchMatmul(ProjectV, projection(nk, dv, w.b_v));
    barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_READ_BIT);

    const VkDeviceSize headScores = VkDeviceSize(nq) * nk * sizeof(float);
    for (std::uint32_t first = 0; first < heads; first += std::uint32_t(headsPerChunk)) {
        const std::uint32_t count = std::min(heads - first, std::uint32_t(headsPerChunk));

        MatmulParams scores; // S_h = Q_h K_hᵀ
        scores.M = nq;
        scores.N = nk;
        scores.K = dk;
        scores.batch = count;
        scores.aOffset = first * nq * dk;
        scores.aBatchStride = nq * dk;
        scores.aStrideM = dk;
        scores.aBlock = dk;
        scores.bOffset = first * nk * dk;
        scores.bBatchStride = nk * dk;
        scores.bStrideK = 1;
        scores.bStrideN = dk;
        scores.cBatchStride = nq * nk;
        scores.cStrideM = nk;
        dispatchMatmul(QKt, scores);
        barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_ACCESS_SHADER_READ_BIT);

        SoftmaxParams softmax;
        softmax.rows = count * nq;
        softmax.queries = nq;
        softmax.keys = nk;
        softmax.causal = p.causal ? 1 : 0;
        softmax.scale = p.scoreScale;
        const std::uint64_t maxX = m_context.limits().maxComputeWorkGroupCount[0];
        const std::uint64_t gridX = std::min<std::uint64_t>(softmax.rows, maxX);
        dispatch(m_softmax, Softmax, &softmax, sizeof softmax, gridX, ceilDiv(softmax.rows, gridX), 1);
        barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_ACCESS_SHADER_READ_BIT);

        MatmulParams weighted; // heads_h = weights_h V_h
        weighted.M = nq;
        weighted.N = dv;
        weighted.K = nk;
        weighted.batch = count;
        weighted.aBatchStride = nq * nk;
        weighted.aStrideM = nk;
        weighted.aBlock = nk;
        weighted.bOffset = first * nk * dv;
        weighted.bBatchStride = nk * dv;
        weighted.bStrideK = dv;
        weighted.bStrideN = 1;
        weighted.cOffset = first * nq * dv;
        weighted.cBatchStride = nq * dv;
        weighted.cStrideM = dv;
        dispatchMatmul(WeightsV, weighted);

        // Bring this chunk's scores and weights home before the next chunk overwrites them.
        barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                VK_ACCESS_TRANSFER_READ_BIT);
        copy(m_buffers[Scores].handle(), 0, m_resultBuffer[Scores], m_resultOffset[Scores] + first * headScores,
             count * headScores);
        copy(m_buffers[Weights].handle(), 0, m_resultBuffer[Weights], m_resultOffset[Weights] + first * headScores,
             count * headScores);
        barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_ACCESS_SHADER_WRITE_BIT);
    }
    barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_READ_BIT);

    // output = concat(heads) W_Oᵀ + b_O: A reads the [h x n x d_v] heads as [n x h·d_v]
    // by splitting K into one block of d_v per head.
    MatmulParams output;
    output.M = nq;
    output.N = dm;
    output.K = heads * dv;
    output.aStrideM = dv;
    output.aBlock = dv;
    output.aBlockStride = nq * dv;
    output.bStrideK = 1;
    output.bStrideN = heads * dv;
    output.cStrideM = dm;
    output.hasBias = w.b_o.empty() ? 0 : 1;
    dispatchMatmul(ProjectOut, output);
    barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
            VK_ACCESS_TRANSFER_READ_BIT);
    for (Slot slot : {Q, K, V, Heads, Out})
        copy(m_buffers[slot].handle(), 0, m_resultBuffer[slot], m_resultOffset[slot], m_bytes[slot]);

    if (m_timestamps)
        api.vkCmdWriteTimestamp(m_commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, m_timestamps.get(), 1);
    barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    ended = true;
    VK_CHECK(api.vkEndCommandBuffer(m_commands));
}

void Session::dispatch(const ComputePipeline& pipeline, Step step, const void* params, std::uint32_t bytes, std::uint64_t x,
                       std::uint64_t y, std::uint64_t z)
{
    if (bytes != pipeline.pushConstantBytes())
        throw BackendFailure("internal error: push constants of " + std::to_string(bytes) + " bytes for a pipeline that takes "
                             + std::to_string(pipeline.pushConstantBytes()) + ".");
    const std::uint32_t* most = m_context.limits().maxComputeWorkGroupCount;
    if (x > most[0] || y > most[1] || z > most[2])
        throw BackendFailure("the request needs " + std::to_string(x) + " x " + std::to_string(y) + " x " + std::to_string(z)
                             + " workgroups, more than this GPU dispatches at once (" + std::to_string(most[0]) + " x "
                             + std::to_string(most[1]) + " x " + std::to_string(most[2]) + "); use fewer tokens.");
    if (x == 0 || y == 0 || z == 0)
        return; // nothing to compute
    const Api& api = m_context.api();
    api.vkCmdBindPipeline(m_commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline());
    api.vkCmdBindDescriptorSets(m_commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &m_sets[step], 0, nullptr);
    api.vkCmdPushConstants(m_commands, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, bytes, params);
    api.vkCmdDispatch(m_commands, std::uint32_t(x), std::uint32_t(y), std::uint32_t(z));
}

void Session::dispatchMatmul(Step step, const MatmulParams& params)
{
    // Few columns (a small d_v or d_k) would leave most of a square tile idle.
    const bool narrow = params.N <= m_narrowTiles.tileN();
    const MatmulTiles& tiles = narrow ? m_narrowTiles : m_tiles;
    dispatch(narrow ? m_matmulNarrow : m_matmul, step, &params, sizeof params, ceilDiv(params.N, tiles.tileN()),
             ceilDiv(params.M, tiles.tileM()), params.batch);
}

void Session::barrier(VkPipelineStageFlags from, VkAccessFlags fromAccess, VkPipelineStageFlags to, VkAccessFlags toAccess)
{
    VkMemoryBarrier memory{};
    memory.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    memory.srcAccessMask = fromAccess;
    memory.dstAccessMask = toAccess;
    m_context.api().vkCmdPipelineBarrier(m_commands, from, to, 0, 1, &memory, 0, nullptr, 0, nullptr);
}

void Session::copy(VkBuffer from, VkDeviceSize fromOffset, VkBuffer to, VkDeviceSize toOffset, VkDeviceSize bytes)
{
    if (bytes == 0)
        return;
    const VkBufferCopy region{fromOffset, toOffset, bytes};
    m_context.api().vkCmdCopyBuffer(m_commands, from, to, 1, &region);
}

void Session::submitAndWait()
{
    const Api& api = m_context.api();
    const VkDevice device = m_context.device();
    const VkFence fence = m_fence.get();
    VK_CHECK(api.vkResetFences(device, 1, &fence));
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &m_commands;
    VK_CHECK(api.vkQueueSubmit(m_context.queue(), 1, &submit, fence));
    VkResult waited = api.vkWaitForFences(device, 1, &fence, VK_TRUE, ~std::uint64_t(0));
    if (faultInjected(Fault::DeviceLost)) // the work did run; the device "dies" on the wait
        waited = VK_ERROR_DEVICE_LOST;
    VK_CHECK_RESULT(waited, "vkWaitForFences");
    if (waited != VK_SUCCESS) // VK_TIMEOUT cannot happen without a timeout, but stay honest
        throw BackendFailure(std::string("vkWaitForFences returned ") + resultName(waited) + ".");
}

double Session::readGpuMs()
{
    if (!m_timestamps)
        return -1.0;
    std::uint64_t ticks[2] = {0, 0};
    const VkResult result = m_context.api().vkGetQueryPoolResults(m_context.device(), m_timestamps.get(), 0, 2, sizeof ticks,
                                                                   ticks, sizeof(std::uint64_t),
                                                                   VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
    VK_CHECK(result);
    if (result != VK_SUCCESS)
        return -1.0;
    const std::uint32_t bits = m_context.timestampValidBits();
    const std::uint64_t mask = bits >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << bits) - 1;
    const std::uint64_t elapsed = ((ticks[1] & mask) - (ticks[0] & mask)) & mask; // wraps within the valid bits
    return double(elapsed) * m_context.timestampPeriodNs() / 1.0e6;
}

} // namespace attn::vulkan
