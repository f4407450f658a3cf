// What the model views paint: one trace of a trained model plus what is derived from it
// once, on the worker thread (the attention rollout, an n³ product per layer; the head
// statistics while a search needs them), so that painting does no heavy arithmetic. Shared
// read-only like attn::Trace.
#pragma once

#include <attn/head_stats.h>
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

    // Every layer's head statistics, [layer][head]: computed the first time they are asked
    // for and kept. A search over the heads reads them at every paint and hover; while one
    // is on, the worker makes them with the result (ModelComputeService), so only turning a
    // search on computes them on the UI thread.
    const std::vector<std::vector<attn::HeadStats>>& headStats() const;

private:
    mutable std::once_flag m_headStatsOnce;
    mutable std::vector<std::vector<attn::HeadStats>> m_headStats;
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
