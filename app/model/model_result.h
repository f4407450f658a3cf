// What the model views paint: one trace of a trained model plus what is derived from it
// once, on the worker thread (the attention rollout, an n³ product per layer; the head
// statistics), so that painting does no heavy arithmetic. Shared read-only like attn::Trace.
#pragma once

#include "compute/head_stats_of.h"

#include <attn/model/model_trace.h>
#include <attn/tensor.h>
#include <attn/trace.h>

#include <QMetaType>

#include <memory>
#include <mutex>
#include <vector>

struct ModelResult {
    std::shared_ptr<const attn::ModelTrace> trace;
    attn::Tensor rollout; // [layers x n x n], attn::attentionRollout(*trace)

    int layers() const { return trace ? int(trace->layerCount()) : 0; }
    int heads() const { return trace ? trace->config.heads : 0; }
    int tokens() const { return trace ? int(trace->tokenCount()) : 0; }

    // One layer's head statistics (null past the layers): computed the first time they are
    // asked for and kept. The worker makes the shown layer's with the result, and every
    // layer's while a search over the heads is on (ModelComputeService), so the UI thread
    // computes them only when it turns to another layer or turns a search on.
    HeadStatsPtr layerHeadStats(int layer) const;
    // Every layer's, [layer]: a search over the heads reads them at every paint and hover.
    std::vector<HeadStatsPtr> headStats() const;

private:
    mutable std::mutex m_headStatsMutex;
    mutable std::vector<HeadStatsPtr> m_headStats; // [layer], null until asked for; guarded by the mutex
};

using ModelResultPtr = std::shared_ptr<const ModelResult>;
using ModelPtr = std::shared_ptr<const attn::Model>;
Q_DECLARE_METATYPE(ModelResultPtr)
Q_DECLARE_METATYPE(ModelPtr)

// Wraps a trace and computes its rollout. A null trace gives a null result. Given the result
// of the text before an edit, the rollout rows of the tokens before the edit are taken from
// it where the model is causal (GPT-2), and only the rest computed.
ModelResultPtr makeModelResult(std::shared_ptr<const attn::ModelTrace> trace, const ModelResult* beforeEdit = nullptr);

// One layer's attention as a sandbox trace, sharing ownership of the whole model trace (no
// copy): the sandbox views paint it as they paint their own. Null when layer is out of range.
std::shared_ptr<const attn::Trace> layerTrace(const ModelResultPtr& result, int layer);
