// Running a trained model on text. A ModelSession keeps the last trace; for GPT-2 (causal)
// an edit recomputes only the rows from the first changed token, reusing the earlier rows'
// keys and values per layer. BERT (bidirectional) always recomputes everything.
#pragma once

#include "attn/backend_choice.h"
#include "attn/model/model.h"
#include "attn/model/model_trace.h"

#include <map>
#include <memory>
#include <string_view>

namespace attn {

struct ModelRunOptions {
    BackendKind backend = BackendKind::Auto; // a Vulkan failure falls back to BLAS, reason in the trace
    bool keepScores = true;   // the raw QKᵀ per layer; off halves the memory of long inputs
    bool incremental = true;  // GPT-2 with the BLAS backend: reuse the unchanged prefix
    int topK = 5;             // next-token predictions (GPT-2)
};

class ModelSession {
public:
    explicit ModelSession(std::shared_ptr<const Model> model, ModelRunOptions options = {});
    ~ModelSession();
    ModelSession(const ModelSession&) = delete;
    ModelSession& operator=(const ModelSession&) = delete;

    // Tokenises and runs the text. Throws attn::Error for input the model cannot take
    // (more tokens than its positions, a trace above Limits::maxTraceBytes).
    std::shared_ptr<const ModelTrace> update(std::string_view text);
    // The same with a ready encoding (ids must be inside the vocabulary).
    std::shared_ptr<const ModelTrace> update(const Encoding& encoding);

    std::shared_ptr<const ModelTrace> current() const { return m_current; }
    const Model& model() const { return *m_model; }
    const ModelRunOptions& options() const { return m_options; }
    // Forget the cached trace: the next update computes every row.
    void reset() { m_current.reset(); }

private:
    Backend& backend(BackendKind kind);

    std::shared_ptr<const Model> m_model;
    ModelRunOptions m_options;
    std::map<BackendKind, std::unique_ptr<Backend>> m_backends;
    std::shared_ptr<const ModelTrace> m_current;
};

// One forward pass without a session.
std::shared_ptr<const ModelTrace> runModel(std::shared_ptr<const Model> model, std::string_view text,
                                           const ModelRunOptions& options = {});

} // namespace attn
