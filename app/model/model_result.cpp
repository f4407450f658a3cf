#include "model_result.h"

ModelResultPtr makeModelResult(std::shared_ptr<const attn::ModelTrace> trace)
{
    if (!trace)
        return nullptr;
    auto result = std::make_shared<ModelResult>();
    result->rollout = trace->layers.empty() || trace->tokenCount() == 0 ? attn::Tensor() : attn::attentionRollout(*trace);
    result->trace = std::move(trace);
    return result;
}

std::shared_ptr<const attn::Trace> layerTrace(const ModelResultPtr& result, int layer)
{
    if (!result || !result->trace || layer < 0 || layer >= result->layers())
        return nullptr;
    // The aliasing constructor: points at one layer, keeps the whole result alive.
    return std::shared_ptr<const attn::Trace>(result, &result->trace->layers[std::size_t(layer)]);
}
