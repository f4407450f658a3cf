#include "model_result.h"

#include <algorithm>

namespace {

// How many leading rollout rows `beforeEdit` has right for `trace`: the rows the model reused
// (a causal model's rows before the first changed token), if it was run on those tokens.
std::size_t rowsToKeep(const attn::ModelTrace& trace, const ModelResult* beforeEdit)
{
    const std::size_t kept = trace.firstComputedRow;
    if (kept == 0 || !trace.config.causal() || !beforeEdit || !beforeEdit->trace)
        return 0;
    const std::vector<int>& earlierIds = beforeEdit->trace->tokenIds;
    if (earlierIds.size() < kept || !std::equal(earlierIds.begin(), earlierIds.begin() + std::ptrdiff_t(kept), trace.tokenIds.begin()))
        return 0;
    return kept;
}

} // namespace

ModelResultPtr makeModelResult(std::shared_ptr<const attn::ModelTrace> trace, const ModelResult* beforeEdit)
{
    if (!trace)
        return nullptr;
    auto result = std::make_shared<ModelResult>();
    if (!trace->layers.empty() && trace->tokenCount() > 0) {
        const std::size_t kept = rowsToKeep(*trace, beforeEdit);
        result->rollout = kept > 0 ? attn::attentionRollout(*trace, beforeEdit->rollout, kept) : attn::attentionRollout(*trace);
    }
    result->trace = std::move(trace);
    return result;
}

HeadStatsPtr ModelResult::layerHeadStats(int layer) const
{
    if (layer < 0 || layer >= layers())
        return nullptr;
    std::lock_guard lock(m_headStatsMutex);
    m_headStats.resize(std::size_t(layers()));
    HeadStatsPtr& stats = m_headStats[std::size_t(layer)];
    if (!stats)
        stats = headStatsOf(&trace->layers[std::size_t(layer)]);
    return stats;
}

std::vector<HeadStatsPtr> ModelResult::headStats() const
{
    std::vector<HeadStatsPtr> all;
    for (int layer = 0; layer < layers(); ++layer)
        all.push_back(layerHeadStats(layer));
    return all;
}

std::shared_ptr<const attn::Trace> layerTrace(const ModelResultPtr& result, int layer)
{
    if (!result || !result->trace || layer < 0 || layer >= result->layers())
        return nullptr;
    // The aliasing constructor: points at one layer, keeps the whole result alive.
    return std::shared_ptr<const attn::Trace>(result, &result->trace->layers[std::size_t(layer)]);
}
