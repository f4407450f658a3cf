#include "session.h"

#include "check.h"
#include "host_import.h"
#include "spirv.h"
#include "vulkan_backend.h"

#include "parallel_copy.h"

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <memory>
#include <string>
#include <tuple>

namespace attn::vulkan {

namespace {

constexpr std::uint32_t kMatmulBindings = 4;  // A, B, C, bias
constexpr std::uint32_t kSoftmaxBindings = 2; // scores, weights
// Fewer workgroups than this leave a large GPU mostly idle (chosen on an H200, which has 132
// multiprocessors).
constexpr std::uint64_t kFewWorkgroups = 256;

std::string mib(std::uint64_t bytes)
{
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

std::uint64_t sharedBytes(const MatmulTiles& tiles)
{
    return std::uint64_t(tiles.tileK) * (tiles.tileM() + 1 + tiles.tileN() + 1) * sizeof(float);
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
    if (sharedBytes(tiles) > limits.maxComputeSharedMemorySize)
        throw BackendFailure("the Vulkan device has " + std::to_string(limits.maxComputeSharedMemorySize)
                             + " bytes of shared memory; the matrix multiply needs " + std::to_string(sharedBytes(tiles))
                             + ".");
    return tiles;
}

// One column per invocation, and a long step along K where shared memory allows: these
// tiles serve grids of few workgroups, each of which walks all of K alone (2048 keys in a
// weighted sum at 2048 tokens), so fewer, longer steps shorten the pass.
MatmulTiles narrowTiles(const Context& context, MatmulTiles tiles)
{
    tiles.regN = 1;
    for (std::uint32_t tileK : {64u, 32u}) {
        MatmulTiles longer = tiles;
        longer.tileK = tileK;
        if (sharedBytes(longer) <= context.limits().maxComputeSharedMemorySize)
            return longer;
    }
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
    if (!context.subgroupArithmetic())
        throw BackendFailure("the Vulkan device lacks subgroup arithmetic in compute shaders (Vulkan 1.1), which the "
                             "softmax needs.");
    // A whole number of subgroups, one row each: 128 invocations (four rows on NVIDIA,
    // two on AMD's wave64), or one subgroup where that is larger.
    const VkPhysicalDeviceLimits& limits = context.limits();
    const std::uint32_t subgroup = context.subgroupSize();
    const std::uint32_t workgroup = subgroup * std::max(1u, 128u / subgroup);
    if (workgroup > std::min(limits.maxComputeWorkGroupInvocations, limits.maxComputeWorkGroupSize[0]))
        throw BackendFailure("the Vulkan device's subgroups (" + std::to_string(subgroup)
                             + " invocations) exceed its largest workgroup.");
    return workgroup;
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
      m_narrowTiles(narrowTiles(m_context, m_tiles)),
      m_softmaxWorkgroup(chooseSoftmaxWorkgroup(m_context)),
      m_onGpu(countsAsHardwareGpu(m_context.properties().deviceType)),
      m_matmul(m_context, spirv::matmul(), kMatmulBindings, sizeof(MatmulParams), specialization(m_tiles)),
      m_matmulNarrow(m_context, spirv::matmul(), kMatmulBindings, sizeof(MatmulParams), specialization(m_narrowTiles)),
      m_softmax(m_context, spirv::softmax(), kSoftmaxBindings, sizeof(SoftmaxParams),
                std::array<std::uint32_t, 1>{m_softmaxWorkgroup}),
      m_stages(m_context),
      m_upload(m_context, Residence::Upload, ~VkDeviceSize(0)),
      m_download(m_context, Residence::Download, ~VkDeviceSize(0)),
      m_hostImports(std::make_shared<HostImports>(m_context))
{
    const Api& api = m_context.api();
    const VkDevice device = m_context.device();

    constexpr std::uint32_t kSets = StepCount * kChunkSlots;
    const VkDescriptorPoolSize poolSize{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSets * kMatmulBindings};
    VkDescriptorPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    poolInfo.maxSets = kSets;
    poolInfo.poolSizeCount = 1;
    poolInfo.pPoolSizes = &poolSize;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    VK_CHECK(api.vkCreateDescriptorPool(device, &poolInfo, nullptr, &pool));
    m_descriptorPool = Owned<VkDescriptorPool>(pool, [&api, device](VkDescriptorPool p) { api.vkDestroyDescriptorPool(device, p, nullptr); });

    for (std::size_t step = 0; step < StepCount; ++step) {
        std::array<VkDescriptorSetLayout, kChunkSlots> stepLayouts;
        stepLayouts.fill(step == Softmax ? m_softmax.setLayout() : m_matmul.setLayout());
        VkDescriptorSetAllocateInfo setInfo{};
        setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
        setInfo.descriptorPool = pool;
        setInfo.descriptorSetCount = kChunkSlots;
        setInfo.pSetLayouts = stepLayouts.data();
        VK_CHECK(api.vkAllocateDescriptorSets(device, &setInfo, m_sets[step].data())); // freed with the pool
    }

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

    // One head's scores must fit one storage buffer binding; a chunk holds as many heads
    // as fit, and no more than keeps the copy queue busy while the next chunk is computed.
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
    const Chunking chunking = chooseChunking(heads, headScores, range);
    m_bytes[Scores] = m_bytes[Weights] = chunking.slots() * chunking.slotStride;

    for (std::size_t slot = 0; slot < SlotCount; ++slot)
        m_buffers[slot].reserve(m_bytes[slot]);

    // Inputs come from the caller's storage where the device has borrowed it (the layer's
    // weights, and inputs recycled request after request), else through the upload buffer.
    m_hostImports->startRequest();
    VkDeviceSize uploadBytes = 0;
    for (const auto& [slot, tensor] : inputs) {
        m_inputBuffer[slot] = tensor ? m_hostImports->borrow(*tensor) : VK_NULL_HANDLE;
        m_inputOffset[slot] = m_inputBuffer[slot] != VK_NULL_HANDLE ? 0 : uploadBytes;
        if (m_inputBuffer[slot] == VK_NULL_HANDLE)
            uploadBytes += m_bytes[slot];
    }
    m_upload.reserve(uploadBytes);
    std::vector<CopyRange> uploads; // 15 MB at 2048 tokens of (768, 12): more than a core copies in a millisecond
    for (const auto& [slot, tensor] : inputs) {
        if (m_inputBuffer[slot] != VK_NULL_HANDLE)
            continue;
        m_inputBuffer[slot] = m_upload.handle();
        if (tensor && !tensor->empty())
            uploads.push_back({static_cast<char*>(m_upload.mapped()) + m_inputOffset[slot], tensor->ptr(), m_bytes[slot]});
    }
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

    writeDescriptors(keySource, chunking);
    // Stage c computes chunk c into the slot of chunk c - 2, which copy stage c - 2 takes home.
    m_stages.prepare(chunking.count + 1, {kChunkSlots, kChunkSlots, chunking.count - 1});
    try {
        recordAndSubmit(p, chunking);
        m_stages.finishAndWait();
    } catch (...) {
        m_stages.abandon();
        throw;
    }
    t.gpuMs = readGpuMs();
    copyInParallel(copies);
}

Session::Chunking Session::chooseChunking(std::uint64_t heads, std::uint64_t headScores, std::uint64_t range) const
{
    // 32 MiB of scores per chunk: two heads at 2048 tokens, all twelve at 512, where one
    // stage's overhead costs more than the overlap brings. Measured on an H200 at 2048
    // tokens of (768, 12): chunks of one head took 10.8-11.2 ms on the GPU (a chunk's
    // shaders then take longer than its copy), of two 9.1-9.3 ms, of four 9.3 ms, and one
    // chunk of all twelve 10.2 ms.
    constexpr std::uint64_t kChunkBytes = std::uint64_t(32) << 20;
    Chunking chunking;
    chunking.heads = std::uint32_t(std::clamp<std::uint64_t>(kChunkBytes / std::max<std::uint64_t>(headScores, 1), 1,
                                                             std::min(heads, range / std::max<std::uint64_t>(headScores, 1))));
    chunking.count = std::uint32_t(ceilDiv(heads, chunking.heads));
    chunking.bytes = chunking.heads * headScores;
    // Each slot starts where a descriptor may begin.
    const VkDeviceSize alignment = std::max<VkDeviceSize>(m_context.limits().minStorageBufferOffsetAlignment, 4);
    chunking.slotStride = ceilDiv(chunking.bytes, alignment) * alignment;
    return chunking;
}

void Session::writeDescriptors(Slot keySource, const Chunking& chunking)
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
    std::array<VkDescriptorBufferInfo, StepCount * kChunkSlots * 4> infos{};
    std::vector<VkWriteDescriptorSet> writes;
    for (std::size_t step = 0; step < StepCount; ++step) {
        for (std::size_t chunkSlot = 0; chunkSlot < kChunkSlots; ++chunkSlot) {
            for (std::uint32_t b = 0; b < 4 && bindings[step][b] != SlotCount; ++b) {
                const Slot slot = bindings[step][b];
                const GpuBuffer& buffer = m_buffers[slot];
                VkDescriptorBufferInfo& info = infos[(step * kChunkSlots + chunkSlot) * 4 + b];
                if (slot == Scores || slot == Weights) // a slot not in use repeats the first
                    info = {buffer.handle(), (chunkSlot % chunking.slots()) * chunking.slotStride, chunking.bytes};
                else
                    info = {buffer.handle(), 0, buffer.capacity()};
                VkWriteDescriptorSet write{};
                write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
                write.dstSet = m_sets[step][chunkSlot];
                write.dstBinding = b;
                write.descriptorCount = 1;
                write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
                write.pBufferInfo = &info;
                writes.push_back(write);
            }
        }
    }
    m_context.api().vkUpdateDescriptorSets(m_context.device(), std::uint32_t(writes.size()), writes.data(), 0, nullptr);
}

void Session::recordAndSubmit(const AttentionProblem& p, const Chunking& chunking)
{
    const Api& api = m_context.api();
    const LayerWeights& w = p.weights;
    const std::uint32_t heads = u32(w.heads), dk = u32(w.d_k), dv = u32(w.d_v), dm = u32(w.d_model);
    const std::uint32_t nq = u32(p.queriesFrom.dim(0)), nk = u32(p.keysFrom.dim(0));
    const VkDeviceSize headScores = VkDeviceSize(nq) * nk * sizeof(float);
    const std::uint32_t count = chunking.count, last = count;
    const auto chunkHeads = [&](std::uint32_t chunk) { return std::min(heads - chunk * chunking.heads, chunking.heads); };
    // Bytes from..to of each input (clamped to its size), from wherever it comes.
    const auto upload = [&](std::initializer_list<Slot> slots, VkDeviceSize from, VkDeviceSize to) {
        for (Slot slot : slots) {
            const VkDeviceSize end = std::min(to, m_bytes[slot]);
            if (end > from)
                copy(m_inputBuffer[slot], m_inputOffset[slot] + from, m_buffers[slot].handle(), from, end - from);
        }
    };
    constexpr VkDeviceSize whole = ~VkDeviceSize(0);
    // The rows of W_Q, W_K (and their biases) that the first chunk's heads use.
    const VkDeviceSize firstWeights = VkDeviceSize(chunkHeads(0)) * dk * dm * sizeof(float);
    const VkDeviceSize firstBiases = VkDeviceSize(chunkHeads(0)) * dk * sizeof(float);
    // Before a stage's shaders: what earlier shaders wrote (in this or an earlier submission
    // on the queue), and what was just uploaded.
    const auto shadersSeeEarlierWrites = [this] {
        barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_ACCESS_SHADER_READ_BIT);
    };

    // Y_h = X W_hᵀ + b_h for `several` heads from `first`, written straight into [h x n x width].
    const auto project = [&](Step step, std::uint32_t n, std::uint32_t width, const Tensor& bias, std::uint32_t first,
                             std::uint32_t several) {
        MatmulParams m;
        m.M = n;
        m.N = width;
        m.K = dm;
        m.batch = several;
        m.aStrideM = dm;
        m.aBlock = dm;
        m.bOffset = first * width * dm;
        m.bBatchStride = width * dm;
        m.bStrideK = 1;
        m.bStrideN = dm;
        m.cOffset = first * n * width;
        m.cBatchStride = n * width;
        m.cStrideM = width;
        m.biasOffset = first * width;
        m.biasBatchStride = width;
        m.hasBias = bias.empty() ? 0 : 1;
        dispatchMatmul(step, 0, m);
    };

    // S_h = Q_h K_hᵀ, then the weights, for the chunk's heads, into the chunk's slot.
    const auto scoresAndWeights = [&](std::uint32_t chunk) {
        const std::uint32_t first = chunk * chunking.heads;
        const std::size_t chunkSlot = chunk % kChunkSlots;
        MatmulParams scores;
        scores.M = nq;
        scores.N = nk;
        scores.K = dk;
        scores.batch = chunkHeads(chunk);
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
        dispatchMatmul(QKt, chunkSlot, scores);
        shadersSeeEarlierWrites();

        SoftmaxParams softmax;
        softmax.rows = chunkHeads(chunk) * nq;
        softmax.queries = nq;
        softmax.keys = nk;
        softmax.causal = p.causal ? 1 : 0;
        softmax.scale = p.scoreScale;
        // One row per subgroup; the shader strides over rows beyond the grid.
        const std::uint64_t rowsPerGroup = m_softmaxWorkgroup / m_context.subgroupSize();
        const std::uint64_t groups = std::min<std::uint64_t>(ceilDiv(softmax.rows, rowsPerGroup),
                                                             m_context.limits().maxComputeWorkGroupCount[0]);
        dispatch(m_softmax, Softmax, chunkSlot, &softmax, sizeof softmax, groups, 1, 1);
    };

    // heads_h = weights_h V_h for the chunk's heads, from its slot of the weights.
    const auto weightedSum = [&](std::uint32_t chunk) {
        const std::uint32_t first = chunk * chunking.heads;
        MatmulParams weighted;
        weighted.M = nq;
        weighted.N = dv;
        weighted.K = nk;
        weighted.batch = chunkHeads(chunk);
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
        dispatchMatmul(WeightsV, chunk % kChunkSlots, weighted);
    };

    // output = concat(heads) W_Oᵀ + b_O, where A reads the [h x n x d_v] heads as
    // [n x h·d_v] by splitting K into one block of d_v per head.
    const auto outputProjection = [&] {
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
        dispatchMatmul(ProjectOut, 0, output);
    };

    // The copy queue has nothing to do until the first scores and weights exist, and then
    // more than the shaders (402 MB at 2048 tokens of (768, 12)), so where there are several
    // chunks the first stages do as little as they can before their chunk: stage 0 uploads
    // and projects only what the first chunk's scores need, stage 1 the rest of Q and K.
    // V, first needed by a weighted sum, is projected in stage 2, which sums over the
    // first two chunks; each later stage c sums over chunk c - 1 before chunk c's scores.
    // A single chunk (a short input) is projected and scored whole in stage 0, so that its
    // weighted sum and the output (stage 1) overlap the copy of its scores and weights. The last
    // stage computes the output. Each copy stage brings its chunk's scores and weights
    // home, and each other result after the stage that computes it.
    const std::uint32_t valueStage = count == 1 ? 0 : 2;
    const std::uint32_t queryKeyStage = count == 1 ? 0 : 1;
    for (std::uint32_t stage = 0; stage <= last; ++stage) {
        begin(m_stages.compute(stage));
        if (stage == 0) {
            if (m_timestamps) {
                api.vkCmdResetQueryPool(m_recording, m_timestamps.get(), 0, 2);
                api.vkCmdWriteTimestamp(m_recording, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, m_timestamps.get(), 0);
            }
            upload({XQ, XK}, 0, whole);
            upload({WQ, WK}, 0, firstWeights);
            upload({BQ, BK}, 0, firstBiases);
            if (valueStage == 0)
                upload({WV, BV}, 0, whole);
            shadersSeeEarlierWrites();
            project(ProjectQ, nq, dk, w.b_q, 0, chunkHeads(0));
            project(ProjectK, nk, dk, w.b_k, 0, chunkHeads(0));
        } else if (stage == 1) {
            upload({WQ, WK}, firstWeights, whole);
            upload({BQ, BK}, firstBiases, whole);
            upload({WO, BO}, 0, whole);
            if (valueStage > 0)
                upload({WV, BV}, 0, whole);
            shadersSeeEarlierWrites();
            project(ProjectQ, nq, dk, w.b_q, chunkHeads(0), heads - chunkHeads(0));
            project(ProjectK, nk, dk, w.b_k, chunkHeads(0), heads - chunkHeads(0));
        }
        // W_V was uploaded before a barrier of this or an earlier stage (a barrier holds for
        // every later submission on the queue).
        if (stage == valueStage)
            project(ProjectV, nk, dv, w.b_v, 0, heads);
        shadersSeeEarlierWrites();
        // A sum reads the weights of its slot; the softmax that overwrites them two chunks
        // later comes after the barrier between that chunk's scores and its softmax.
        if (stage >= valueStage)
            for (std::uint32_t chunk = stage == valueStage ? 0 : stage - 1; chunk < stage; ++chunk)
                weightedSum(chunk);
        if (stage < count) {
            scoresAndWeights(stage);
        } else {
            shadersSeeEarlierWrites();
            outputProjection();
        }
        end();

        begin(m_stages.copy(stage));
        if (stage < count) {
            const std::uint32_t first = stage * chunking.heads;
            const VkDeviceSize slotOffset = (stage % kChunkSlots) * chunking.slotStride;
            for (Slot slot : {Scores, Weights})
                copy(m_buffers[slot].handle(), slotOffset, m_resultBuffer[slot], m_resultOffset[slot] + first * headScores,
                     chunkHeads(stage) * headScores);
        }
        if (stage == queryKeyStage)
            for (Slot slot : {Q, K})
                copy(m_buffers[slot].handle(), 0, m_resultBuffer[slot], m_resultOffset[slot], m_bytes[slot]);
        if (stage == valueStage)
            copy(m_buffers[V].handle(), 0, m_resultBuffer[V], m_resultOffset[V], m_bytes[V]);
        if (stage == last) {
            for (Slot slot : {Heads, Out})
                copy(m_buffers[slot].handle(), 0, m_resultBuffer[slot], m_resultOffset[slot], m_bytes[slot]);
            // Every copy of the request, in this and the earlier submissions on this queue.
            barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                    VK_ACCESS_HOST_READ_BIT);
        }
        end();
        m_stages.submit(stage);
    }

    // The end, stamped on the compute queue once the copies are done (timestamps compare
    // only within one queue).
    begin(m_stages.finish());
    if (m_timestamps)
        api.vkCmdWriteTimestamp(m_recording, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, m_timestamps.get(), 1);
    end();
}

void Session::begin(VkCommandBuffer commands)
{
    VkCommandBufferBeginInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VK_CHECK(m_context.api().vkBeginCommandBuffer(commands, &info));
    m_recording = commands; // a buffer left recording by a throw is reset with its pool
}

void Session::end()
{
    VK_CHECK(m_context.api().vkEndCommandBuffer(m_recording));
    m_recording = VK_NULL_HANDLE;
}

void Session::dispatch(const ComputePipeline& pipeline, Step step, std::size_t chunkSlot, const void* params,
                       std::uint32_t bytes, std::uint64_t x, std::uint64_t y, std::uint64_t z)
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
    api.vkCmdBindPipeline(m_recording, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline());
    api.vkCmdBindDescriptorSets(m_recording, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1,
                                &m_sets[step][chunkSlot], 0, nullptr);
    api.vkCmdPushConstants(m_recording, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, bytes, params);
    api.vkCmdDispatch(m_recording, std::uint32_t(x), std::uint32_t(y), std::uint32_t(z));
}

void Session::dispatchMatmul(Step step, std::size_t chunkSlot, const MatmulParams& params)
{
    // Few columns (a small d_v or d_k) would leave most of a square tile idle, and on a GPU
    // a grid of few square tiles (one or two heads' weighted sum: 32 tiles a head at 2048
    // tokens) most of the GPU: narrow tiles make four times as many workgroups of them. A
    // CPU driver has cores enough for any grid, and does more work per narrow tile
    // (lavapipe: 256 x (256, 8) took 257 ms with them, 172 ms without).
    const std::uint64_t squareGroups = ceilDiv(params.N, m_tiles.tileN()) * ceilDiv(params.M, m_tiles.tileM()) * params.batch;
    const bool narrow = params.N <= m_narrowTiles.tileN() || (m_onGpu && squareGroups < kFewWorkgroups);
    const MatmulTiles& tiles = narrow ? m_narrowTiles : m_tiles;
    dispatch(narrow ? m_matmulNarrow : m_matmul, step, chunkSlot, &params, sizeof params, ceilDiv(params.N, tiles.tileN()),
             ceilDiv(params.M, tiles.tileM()), params.batch);
}

void Session::barrier(VkPipelineStageFlags from, VkAccessFlags fromAccess, VkPipelineStageFlags to, VkAccessFlags toAccess)
{
    VkMemoryBarrier memory{};
    memory.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    memory.srcAccessMask = fromAccess;
    memory.dstAccessMask = toAccess;
    m_context.api().vkCmdPipelineBarrier(m_recording, from, to, 0, 1, &memory, 0, nullptr, 0, nullptr);
}

void Session::copy(VkBuffer from, VkDeviceSize fromOffset, VkBuffer to, VkDeviceSize toOffset, VkDeviceSize bytes)
{
    if (bytes == 0)
        return;
    const VkBufferCopy region{fromOffset, toOffset, bytes};
    m_context.api().vkCmdCopyBuffer(m_recording, from, to, 1, &region);
}

double Session::readGpuMs()
{
    if (!m_timestamps)
        return -1.0;
    std::uint64_t ticks[2] = {0, 0};
    const VkResult result = m_context.api().vkGetQueryPoolResults(m_context.device(), m_timestamps.get(), 0, 2, sizeof ticks,
                                                                   ticks, sizeof(std::uint64_t),
                                                                   VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
    VK_CHECK_RESULT(result, "vkGetQueryPoolResults");
    if (result != VK_SUCCESS)
        return -1.0;
    const std::uint32_t bits = m_context.timestampValidBits();
    const std::uint64_t mask = bits >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << bits) - 1;
    const std::uint64_t elapsed = ((ticks[1] & mask) - (ticks[0] & mask)) & mask; // wraps within the valid bits
    return double(elapsed) * m_context.timestampPeriodNs() / 1.0e6;
}

} // namespace attn::vulkan
